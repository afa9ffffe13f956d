from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from axes.models import AccessAttempt
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.db.models.signals import post_delete, post_migrate

        from accounts import receivers, tasks  # noqa: F401  (tasks: registers the app's background jobs)
        from accounts.admin import security_admin_install
        from accounts.roles import sync_roles_after_migrate

        user_logged_in.connect(receivers.start_user_session, dispatch_uid="accounts.start_user_session")
        user_logged_out.connect(receivers.end_user_session, dispatch_uid="accounts.end_user_session")
        user_logged_in.connect(receivers.audit_login, dispatch_uid="accounts.audit_login")
        user_logged_out.connect(receivers.audit_logout, dispatch_uid="accounts.audit_logout")
        user_login_failed.connect(receivers.audit_login_failed, dispatch_uid="accounts.audit_login_failed")
        user_locked_out.connect(receivers.audit_lockout, dispatch_uid="accounts.audit_lockout")
        post_delete.connect(receivers.lockout_cleared, sender=AccessAttempt, dispatch_uid="accounts.lockout_cleared")
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="accounts.sync_roles")
        security_admin_install()
