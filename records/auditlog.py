"""django-auditlog for the records: field diffs without PHI.

django-auditlog stores the old and new value of every changed field in plain JSON, and the
object's `__str__` as object_repr. Every encrypted field (records.fields) and every blind-index
column is excluded, found by type and name, so a PHI field added later is excluded without
anyone remembering to; `__str__` of these models is "<Model> #<id>". What remains in the diffs:
ids, statuses, codes of choice fields, dates that are not identifying, who and when.
"""

from auditlog.registry import auditlog
from django.apps import apps

from records.fields import is_encrypted

TRACKED_MODELS = (
    "Patient",
    "CareTeamMembership",
    "Encounter",
    "ClinicalNote",
    "Condition",
    "Medication",
    "Allergy",
    "Observation",
    "Appointment",
    "Document",
    "BreakGlassAccess",
)


def excluded_fields(model) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if is_encrypted(field) or field.name.endswith("_index") or field.name == "storage_name"
    ]


def register_clinical_models() -> None:
    for name in TRACKED_MODELS:
        model = apps.get_model("records", name)
        if not auditlog.contains(model):
            auditlog.register(model, exclude_fields=excluded_fields(model))
