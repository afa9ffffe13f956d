"""The kinds of record a chart holds, and the permission each action on them needs.

One table, read by the services, the selectors, the API routes and the permission matrix, so
that a new record type is added in one place. `name` is the URL segment (/patients/{id}/<name>/)
and `audit_type` the record_type of its access events.
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


RECORD_TYPES: dict[str, RecordType] = {
    record_type.name: record_type
    for record_type in (
        RecordType(
            "encounters", Encounter, "encounter", "records.add_encounter", "records.change_encounter", "clinician"
        ),
        RecordType(
            "notes", ClinicalNote, "clinical_note", "records.add_clinicalnote", "records.change_clinicalnote", "author"
        ),
        RecordType(
            "conditions", Condition, "condition", "records.add_condition", "records.change_condition", "recorded_by"
        ),
        RecordType(
            "medications",
            Medication,
            "medication",
            "records.prescribe_medication",
            "records.change_medication",
            "prescriber",
        ),
        RecordType("allergies", Allergy, "allergy", "records.add_allergy", "records.change_allergy", "recorded_by"),
        RecordType(
            "observations",
            Observation,
            "observation",
            "records.add_observation",
            "records.change_observation",
            "recorded_by",
        ),
        RecordType(
            "appointments", Appointment, "appointment", "records.add_appointment", "records.change_appointment", None
        ),
    )
}


def record_type_for(name: str) -> RecordType:
    return RECORD_TYPES[name]
