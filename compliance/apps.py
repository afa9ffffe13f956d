from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"

    def ready(self):
        from django.db.models.signals import post_migrate

        from compliance import receivers, tasks  # noqa: F401  (tasks: registers the app's background jobs)

        # After every migrate and flush (the test suite's transactional tests flush), as the roles are.
        post_migrate.connect(receivers.seed_consent_purposes, sender=self, dispatch_uid="compliance.seed_purposes")
