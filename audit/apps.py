from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"

    def ready(self):
        from audit import tasks  # noqa: F401  (registers the app's background jobs)
