from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"

    def ready(self):
        from django.db.models.signals import post_migrate

        from compliance import receivers

        # After every migrate and flush (the test suite's transactional tests flush), as the roles are.
        post_migrate.connect(receivers.seed_consent_purposes, sender=self, dispatch_uid="compliance.seed_purposes")
