"""Patients and their clinical records.

Every field that is PHI is an encrypted field (records.fields): ciphertext at rest, plaintext
only in memory. Searchable identifiers also have a blind-index column (records.blind_index),
kept in step by the services. `__str__` of every model here carries no PHI: it reaches
django-auditlog's object_repr, admin logs and error reports.

Invariants live in clean(); workflows (who may do what, signing, amending, auditing) live in
records.services and records.policies.
"""

import math
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.deconstruct import deconstructible

from records.fields import EncryptedCharField, EncryptedDateField, EncryptedEmailField, EncryptedTextField

# ICD-10 (WHO / ICD-10-CM shape): a letter, two characters, optional dot and up to four more.
ICD10_PATTERN = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$")


@deconstructible
class ICD10Validator(RegexValidator):
    """The ICD-10 shape, as a RegexValidator so that the OpenAPI schema carries it as `pattern`.
    The whole value must match: a trailing newline, which `$` lets through, does not."""

    regex = ICD10_PATTERN
    message = "Enter an ICD-10 code such as J45.909 or E11."
    code = "invalid_icd10"

    def __call__(self, value):
        if not isinstance(value, str) or self.regex.fullmatch(value) is None:
            raise ValidationError(self.message, code=self.code, params={"value": value})


validate_icd10 = ICD10Validator()


def parse_number(value) -> Decimal | None:
    """`value` as a Decimal if it reads as a finite number; None for text results ("positive")
    and for numbers that are not finite."""
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        return None
    return number if number.is_finite() and math.isfinite(float(number)) else None


def is_non_finite_number(value) -> bool:
    """NaN, sNaN, infinity, or beyond a double's range (1e999 is a finite Decimal but an infinite
    float; 1e99999999999999999999 is too large an exponent for a Decimal but not for float())."""
    text = str(value).strip()
    try:
        number = Decimal(text)
    except ArithmeticError:
        try:
            return not math.isfinite(float(text))
        except ValueError:
            return False
    return parse_number(number) is None


def validate_finite_number(value) -> None:
    """A value that reads as a number must be finite: Decimal("NaN") parses, then every comparison
    with a reference range raises; "Infinity" and "1e999" are no measurement either."""
    if is_non_finite_number(value):
        raise ValidationError("Enter a finite number (not NaN or infinity) or a text result.", code="not_finite")


class Patient(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        INTERSEX = "intersex", "Intersex"
        UNKNOWN = "unknown", "Unknown"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        DECEASED = "deceased", "Deceased"

    mrn = EncryptedCharField("medical record number", max_length=16, editable=False)
    given_name = EncryptedCharField(max_length=100)
    family_name = EncryptedCharField(max_length=100)
    date_of_birth = EncryptedDateField()
    sex = EncryptedCharField(max_length=16, choices=Sex.choices)
    gender = EncryptedCharField(max_length=64, blank=True)
    email = EncryptedEmailField(max_length=254, blank=True)
    phone = EncryptedCharField(max_length=32, blank=True)
    address = EncryptedTextField(blank=True)
    national_id = EncryptedCharField("national identifier", max_length=32, blank=True)
    emergency_contact = EncryptedTextField(blank=True)
    preferred_language = models.CharField(max_length=16, default="en")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="portal account",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patient_record",
    )
    # A data-subject restriction or objection (GDPR Art. 18, 21), set by records.services
    # patient_restriction_set: staff see a banner; reminder e-mails and research exports leave the
    # patient out (records.policies.processing_allowed).
    processing_restricted = models.BooleanField(default=False, editable=False)
    processing_restricted_at = models.DateTimeField(null=True, blank=True, editable=False)
    processing_restriction_reason = EncryptedTextField(blank=True, editable=False)
    # Blind indexes (HMAC-SHA256, hex): exact search on encrypted identifiers.
    mrn_index = models.CharField(max_length=64, unique=True, editable=False)
    family_name_index = models.CharField(max_length=64, db_index=True, editable=False)
    given_name_index = models.CharField(max_length=64, db_index=True, editable=False)
    date_of_birth_index = models.CharField(max_length=64, db_index=True, editable=False)
    email_index = models.CharField(max_length=64, db_index=True, blank=True, editable=False)
    phone_index = models.CharField(max_length=64, db_index=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SEARCHABLE_FIELDS = ("mrn", "family_name", "given_name", "date_of_birth", "email", "phone")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["family_name_index", "date_of_birth_index"], name="patient_family_dob")]

    def __str__(self):
        return f"Patient #{self.pk}"


class CareTeamMembership(models.Model):
    """A doctor or nurse on a patient's care team from `started_at` until `ended_at` (open if null)."""

    class TeamRole(models.TextChoices):
        DOCTOR = "doctor", "Doctor"
        NURSE = "nurse", "Nurse"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care_team")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_teams")
    team_role = models.CharField(max_length=16, choices=TeamRole.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["member", "patient"], name="careteam_member_patient")]

    def __str__(self):
        return f"Care team membership #{self.pk}"

    def clean(self):
        if self.ended_at and self.started_at and self.ended_at < self.started_at:
            raise ValidationError({"ended_at": "The end must come after the start."})


class Encounter(models.Model):
    class Kind(models.TextChoices):
        OFFICE_VISIT = "office_visit", "Office visit"
        TELEHEALTH = "telehealth", "Telehealth"
        EMERGENCY = "emergency", "Emergency"
        INPATIENT = "inpatient", "Inpatient"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        FINISHED = "finished", "Finished"
        CANCELLED = "cancelled", "Cancelled"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="encounters")
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reason = EncryptedTextField()
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self):
        return f"Encounter #{self.pk}"


class ClinicalNote(models.Model):
    """A note is a draft until signed; a signed note never changes. A correction is a new note
    that `amends` the original, which stays as it was."""

    class Kind(models.TextChoices):
        PHYSICIAN = "physician", "Physician note"
        NURSING = "nursing", "Nursing note"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="notes")
    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, null=True, blank=True, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    body = EncryptedTextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    amends = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="amendments")
    created_at = models.DateTimeField(auto_now_add=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("sign_clinicalnote", "Can sign clinical notes")]

    def __str__(self):
        return f"Clinical note #{self.pk}"

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    def clean(self):
        if self.encounter_id and self.patient_id and self.encounter.patient_id != self.patient_id:
            raise ValidationError({"encounter": "This encounter belongs to another patient."})
        if self.amends_id and self.amends.patient_id != self.patient_id:
            raise ValidationError({"amends": "An amendment must be about the same patient."})


class Condition(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RESOLVED = "resolved", "Resolved"
        INACTIVE = "inactive", "Inactive"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="conditions")
    icd10_code = EncryptedCharField("ICD-10 code", max_length=8, validators=[validate_icd10])
    description = EncryptedCharField(max_length=255)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    onset_date = models.DateField(null=True, blank=True)
    resolved_date = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Condition #{self.pk}"

    def clean(self):
        if self.onset_date and self.resolved_date and self.resolved_date < self.onset_date:
            raise ValidationError({"resolved_date": "Resolution cannot come before onset."})


class Medication(models.Model):
    class Route(models.TextChoices):
        ORAL = "oral", "Oral"
        INTRAVENOUS = "intravenous", "Intravenous"
        INTRAMUSCULAR = "intramuscular", "Intramuscular"
        SUBCUTANEOUS = "subcutaneous", "Subcutaneous"
        TOPICAL = "topical", "Topical"
        INHALED = "inhaled", "Inhaled"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        STOPPED = "stopped", "Stopped"
        COMPLETED = "completed", "Completed"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="medications")
    drug = EncryptedCharField(max_length=200)
    dose = EncryptedCharField(max_length=100)
    route = models.CharField(max_length=16, choices=Route.choices)
    frequency = EncryptedCharField(max_length=100)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    prescriber = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["id"]
        permissions = [("prescribe_medication", "Can prescribe medication")]

    def __str__(self):
        return f"Medication #{self.pk}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date must come after the start date."})


class Allergy(models.Model):
    class Severity(models.TextChoices):
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        REFUTED = "refuted", "Refuted"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="allergies")
    substance = EncryptedCharField(max_length=200)
    reaction = EncryptedCharField(max_length=255, blank=True)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "allergies"

    def __str__(self):
        return f"Allergy #{self.pk}"


class Observation(models.Model):
    """A vital sign or lab result. `abnormal` is set by the service from the value and range."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="observations")
    code = EncryptedCharField(max_length=32, help_text="LOINC or local code.")
    name = EncryptedCharField(max_length=200)
    value = EncryptedCharField(max_length=64, validators=[validate_finite_number])
    unit = models.CharField(max_length=32, blank=True)
    reference_low = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    reference_high = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    abnormal = models.BooleanField(default=False)
    observed_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-observed_at", "-id"]

    def __str__(self):
        return f"Observation #{self.pk}"

    def clean(self):
        low, high = self.reference_low, self.reference_high
        if low is not None and high is not None and high < low:
            raise ValidationError({"reference_high": "The high end must not be below the low end."})

    def is_outside_reference_range(self) -> bool:
        numeric = parse_number(self.value)
        if numeric is None:
            return False
        if self.reference_low is not None and numeric < self.reference_low:
            return True
        return self.reference_high is not None and numeric > self.reference_high


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CHECKED_IN = "checked_in", "Checked in"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="appointments")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    reason = EncryptedCharField(max_length=255, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BOOKED)

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self):
        return f"Appointment #{self.pk}"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The end must come after the start."})


class Document(models.Model):
    """An uploaded file, stored encrypted under settings.DOCUMENTS_DIR as `storage_name`."""

    class Kind(models.TextChoices):
        LAB_REPORT = "lab_report", "Lab report"
        IMAGING = "imaging", "Imaging"
        REFERRAL = "referral", "Referral"
        CONSENT = "consent", "Consent form"
        OTHER = "other", "Other"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="documents")
    title = EncryptedCharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    content_type = models.CharField(max_length=32, editable=False)
    size = models.PositiveIntegerField(editable=False)
    storage_name = models.CharField(max_length=64, unique=True, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"Document #{self.pk}"


class BreakGlassAccess(models.Model):
    """Emergency read access to a patient outside the user's care team, until `expires_at`."""

    class Review(models.TextChoices):
        PENDING = "pending", "Pending review"
        JUSTIFIED = "justified", "Justified"
        UNJUSTIFIED = "unjustified", "Not justified"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_accesses")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="break_glass_accesses")
    reason = EncryptedTextField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    review_status = models.CharField(max_length=16, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["user", "patient", "expires_at"], name="breakglass_user_patient")]

    def __str__(self):
        return f"Break-the-glass access #{self.pk}"
