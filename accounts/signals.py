"""Audit of Django's authentication signals: every login, failed login and logout."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.services import Outcome, record_security_event


@receiver(user_logged_in, dispatch_uid="accounts.audit_login")
def audit_login(sender, request, user, **kwargs):
    record_security_event(action="auth.login", actor=user, target_user=user)


@receiver(user_logged_out, dispatch_uid="accounts.audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record_security_event(action="auth.logout", actor=user, target_user=user)


@receiver(user_login_failed, dispatch_uid="accounts.audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # The submitted address names the target account when it exists; it is never stored itself,
    # so a mistyped password in the e-mail field cannot land in the log.
    User = get_user_model()
    username = (credentials or {}).get("username") or (credentials or {}).get("email") or ""
    target = User.objects.filter(email__iexact=username.strip()).first() if username else None
    record_security_event(
        action="auth.login",
        outcome=Outcome.FAILURE,
        target_user=target,
        details={"known_account": target is not None},
    )
