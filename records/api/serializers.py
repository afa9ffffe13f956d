"""Serializers of the records API: input shapes and output shapes, no business logic.

Every input serializer is strict: a field it does not know, or one that is read-only (ids, the
patient, who wrote a record, statuses set by workflows), is refused with a 400 rather than
silently dropped, so a client never believes it set what it did not.
"""

from rest_framework import serializers

from core.serializers import StrictCharField, StrictModelSerializer, StrictSerializer
from records import selectors
from records.models import (
    Allergy,
    Appointment,
    BreakGlassAccess,
    CareTeamMembership,
    ClinicalNote,
    Condition,
    Document,
    Encounter,
    Medication,
    Observation,
    Patient,
)
from records.record_types import RECORD_TYPES
from records.services import DEMOGRAPHIC_FIELDS


def read_only_except_input(record_type_name: str, fields: list[str]) -> list[str]:
    """Every one of `fields` except the record type's input fields (records.record_types)."""
    input_fields = RECORD_TYPES[record_type_name].input_fields
    return [name for name in fields if name not in input_fields]


class PatientSerializer(StrictModelSerializer):
    class Meta:
        model = Patient
        fields = ["id", "mrn", *DEMOGRAPHIC_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "mrn", "created_at", "updated_at"]


class PatientPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = PatientSerializer(many=True)


# The last page a list or search may ask for: 100 pages beyond 999,900 patients at the largest page
# size. Without a bound, ?page=9223372036854775807 overflowed the offset in the database (500).
PATIENT_PAGE_MAX = 100_000
PATIENT_PAGE_SIZE_MAX = 100


class PatientPageQuerySerializer(StrictSerializer):
    page = serializers.IntegerField(
        required=False, min_value=1, max_value=PATIENT_PAGE_MAX, default=1, help_text="Page number, from 1."
    )
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=PATIENT_PAGE_SIZE_MAX,
        default=50,
        help_text=f"Patients per page, 1 to {PATIENT_PAGE_SIZE_MAX}.",
    )


class PatientSearchSerializer(PatientPageQuerySerializer):
    mrn = StrictCharField(required=False, allow_blank=True, max_length=32)
    family_name = StrictCharField(required=False, allow_blank=True, max_length=100)
    given_name = StrictCharField(required=False, allow_blank=True, max_length=100)
    date_of_birth = serializers.DateField(required=False)
    email = StrictCharField(required=False, allow_blank=True, max_length=254)
    phone = StrictCharField(required=False, allow_blank=True, max_length=32)


class PatientScopedSerializer(StrictModelSerializer):
    """A record of one patient: related ids offered for input are limited to that patient."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The context names the patient and the user who may see them (records.api.views).
        if "encounter" in self.fields and not self.fields["encounter"].read_only:
            self.fields["encounter"].queryset = selectors.encounter_choice_list(
                user=self.context.get("user"), patient=self.context.get("patient")
            )


class EncounterSerializer(PatientScopedSerializer):
    class Meta:
        model = Encounter
        fields = ["id", "patient", "occurred_at", "kind", "reason", "clinician", "status"]
        read_only_fields = read_only_except_input("encounters", fields)


class ClinicalNoteSerializer(PatientScopedSerializer):
    class Meta:
        model = ClinicalNote
        fields = [
            "id",
            "patient",
            "encounter",
            "author",
            "kind",
            "body",
            "status",
            "amends",
            "created_at",
            "signed_at",
            "signed_by",
        ]
        read_only_fields = read_only_except_input("notes", fields)


class NoteAmendmentSerializer(StrictSerializer):
    body = StrictCharField()


class ConditionSerializer(PatientScopedSerializer):
    class Meta:
        model = Condition
        fields = ["id", "patient", "icd10_code", "description", "status", "onset_date", "resolved_date", "recorded_by"]
        read_only_fields = read_only_except_input("conditions", fields)


class MedicationSerializer(PatientScopedSerializer):
    class Meta:
        model = Medication
        fields = [
            "id",
            "patient",
            "drug",
            "dose",
            "route",
            "frequency",
            "start_date",
            "end_date",
            "prescriber",
            "status",
        ]
        read_only_fields = read_only_except_input("medications", fields)


class AllergySerializer(PatientScopedSerializer):
    class Meta:
        model = Allergy
        fields = ["id", "patient", "substance", "reaction", "severity", "status", "recorded_by"]
        read_only_fields = read_only_except_input("allergies", fields)


class ObservationSerializer(PatientScopedSerializer):
    class Meta:
        model = Observation
        fields = [
            "id",
            "patient",
            "code",
            "name",
            "value",
            "unit",
            "reference_low",
            "reference_high",
            "abnormal",
            "observed_at",
            "recorded_by",
        ]
        read_only_fields = read_only_except_input("observations", fields)


class AppointmentSerializer(PatientScopedSerializer):
    clinician = serializers.PrimaryKeyRelatedField(queryset=selectors.clinician_list())

    class Meta:
        model = Appointment
        fields = ["id", "patient", "clinician", "starts_at", "ends_at", "reason", "status"]
        read_only_fields = read_only_except_input("appointments", fields)


RECORD_SERIALIZERS = {
    "encounters": EncounterSerializer,
    "notes": ClinicalNoteSerializer,
    "conditions": ConditionSerializer,
    "medications": MedicationSerializer,
    "allergies": AllergySerializer,
    "observations": ObservationSerializer,
    "appointments": AppointmentSerializer,
}


class CareTeamMembershipSerializer(StrictModelSerializer):
    member = serializers.PrimaryKeyRelatedField(queryset=selectors.clinician_list())
    member_name = serializers.CharField(source="member.full_name", read_only=True)

    class Meta:
        model = CareTeamMembership
        fields = ["id", "member", "member_name", "team_role", "started_at", "ended_at", "added_by"]
        read_only_fields = ["id", "started_at", "ended_at", "added_by"]


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "patient", "title", "kind", "content_type", "size", "uploaded_by", "uploaded_at"]
        read_only_fields = fields


class DocumentUploadSerializer(StrictSerializer):
    title = StrictCharField(max_length=200)
    kind = serializers.ChoiceField(choices=Document.Kind.choices)
    file = serializers.FileField()


class BreakGlassRequestSerializer(StrictSerializer):
    mrn = StrictCharField(max_length=32)
    reason = StrictCharField(max_length=2000)


class BreakGlassAccessSerializer(serializers.ModelSerializer):
    class Meta:
        model = BreakGlassAccess
        fields = [
            "id",
            "user",
            "patient",
            "started_at",
            "expires_at",
            "review_status",
            "reviewed_by",
            "reviewed_at",
        ]
        read_only_fields = fields


class BreakGlassReviewerSerializer(BreakGlassAccessSerializer):
    """What the compliance officer sees: the reason too (encrypted at rest, shown to them only)."""

    class Meta(BreakGlassAccessSerializer.Meta):
        fields = [*BreakGlassAccessSerializer.Meta.fields, "reason", "review_note"]
        read_only_fields = fields


class BreakGlassReviewSerializer(StrictSerializer):
    decision = serializers.ChoiceField(choices=[BreakGlassAccess.Review.JUSTIFIED, BreakGlassAccess.Review.UNJUSTIFIED])
    note = StrictCharField(required=False, allow_blank=True, max_length=2000, default="")


class ChartSerializer(serializers.Serializer):
    patient = PatientSerializer()
    purpose = serializers.CharField()
    encounters = EncounterSerializer(many=True, required=False)
    notes = ClinicalNoteSerializer(many=True, required=False)
    conditions = ConditionSerializer(many=True, required=False)
    medications = MedicationSerializer(many=True, required=False)
    allergies = AllergySerializer(many=True, required=False)
    observations = ObservationSerializer(many=True, required=False)
    appointments = AppointmentSerializer(many=True, required=False)
    care_team = CareTeamMembershipSerializer(many=True, required=False)
    documents = DocumentSerializer(many=True, required=False)
    break_glass_expires_at = serializers.DateTimeField(required=False, allow_null=True)
