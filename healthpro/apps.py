from django.apps import AppConfig


class HealthProConfig(AppConfig):
    name = "healthpro"
    verbose_name = "HealthPro"

    def ready(self):
        from healthpro import tasks  # noqa: F401  (registers the roof's background jobs)
