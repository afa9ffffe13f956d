from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"

    def ready(self):
        from records.auditlog import register_clinical_models

        register_clinical_models()
