"""The kinds of record a chart holds, and the permission each action on them needs.

One table, read by the services, the selectors, the page forms, the API serializers and routes
and the permission matrix, so that a new record type is added in one place. `name` is the URL
segment (/patients/{id}/<name>/) and `audit_type` the record_type of its access events.
"""

from dataclasses import dataclass

from records.models import Allergy, Appointment, ClinicalNote, Condition, Encounter, Medication, Observation


@dataclass(frozen=True)
class RecordType:
    name: str
    model: type
    audit_type: str
    add_permission: str
    change_permission: str
    # The field that records who wrote the record; the service sets it to the actor.
    actor_field: str | None
    # The fields a person fills in, in form order: the page form's fields and the API's writable
    # ones (everything else the serializer shows is read-only).
    input_fields: tuple[str, ...]


RECORD_TYPES: dict[str, RecordType] = {
    record_type.name: record_type
    for record_type in (
        RecordType(
            "encounters",
            Encounter,
            "encounter",
            "records.add_encounter",
            "records.change_encounter",
            "clinician",
            ("occurred_at", "kind", "reason", "status"),
        ),
        RecordType(
            "notes",
            ClinicalNote,
            "clinical_note",
            "records.add_clinicalnote",
            "records.change_clinicalnote",
            "author",
            ("encounter", "kind", "body"),
        ),
        RecordType(
            "conditions",
            Condition,
            "condition",
            "records.add_condition",
            "records.change_condition",
            "recorded_by",
            ("icd10_code", "description", "status", "onset_date", "resolved_date"),
        ),
        RecordType(
            "medications",
            Medication,
            "medication",
            "records.prescribe_medication",
            "records.change_medication",
            "prescriber",
            ("drug", "dose", "route", "frequency", "start_date", "end_date", "status"),
        ),
        RecordType(
            "allergies",
            Allergy,
            "allergy",
            "records.add_allergy",
            "records.change_allergy",
            "recorded_by",
            ("substance", "reaction", "severity", "status"),
        ),
        RecordType(
            "observations",
            Observation,
            "observation",
            "records.add_observation",
            "records.change_observation",
            "recorded_by",
            ("code", "name", "value", "unit", "reference_low", "reference_high", "observed_at"),
        ),
        RecordType(
            "appointments",
            Appointment,
            "appointment",
            "records.add_appointment",
            "records.change_appointment",
            None,
            ("clinician", "starts_at", "ends_at", "reason", "status"),
        ),
    )
}


def record_type_for(name: str) -> RecordType:
    return RECORD_TYPES[name]
