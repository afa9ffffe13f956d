"""The incident register: security and privacy incidents, their risk assessment, the notification
clocks that run from the moment of awareness, the notification drafts and a timeline of every change.

Clocks (`Incident.deadlines`):
- GDPR Art. 33: the supervisory authority within 72 hours of awareness, unless the assessment
  finds the breach unlikely to result in a risk to people.
- HIPAA 164.404: the affected individuals without unreasonable delay and within 60 days of
  discovery, unless the four-factor assessment shows a low probability that the data was
  compromised.
- HIPAA 164.408: the Secretary (HHS) at the same time as the individuals when 500 or more people
  are affected; otherwise in the annual log, within 60 days after the end of the calendar year in
  which the breach was discovered.
Until an assessment says otherwise every clock runs (a breach is presumed).

The description, actions and drafts are written by compliance officers for compliance officers;
the timeline records which fields changed and counts or ids, never their contents.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from records.fields import EncryptedTextField
from records.models import Patient

# The categories of personal data an incident touched: the keys of the data inventory's categories.
DATA_CATEGORIES = {
    "identifying": "Identifying (names, identifiers, date of birth)",
    "contact": "Contact details",
    "clinical": "Clinical records",
    "health_special": "Special-category health data (GDPR Art. 9)",
    "financial": "Financial and insurance",
    "operational": "Operational (appointments, care team)",
    "security": "Security data (accounts, credentials, audit)",
}

# 500 or more affected individuals: HHS is told at the same time as the individuals (164.408(b)).
HHS_IMMEDIATE_THRESHOLD = 500


def annual_log_due(aware_at: datetime.datetime) -> datetime.datetime:
    """60 days after the end of the calendar year of discovery: the end of the 60th day of the next year (UTC)."""
    next_year = datetime.datetime(aware_at.year + 1, 1, 1, tzinfo=datetime.UTC)
    return next_year + datetime.timedelta(days=60)


@dataclass(frozen=True)
class Deadline:
    """One notification clock of an incident."""

    key: str
    label: str
    due_at: datetime.datetime
    met_at: datetime.datetime | None
    applies: bool

    @property
    def is_running(self) -> bool:
        return self.applies and self.met_at is None

    def is_overdue(self, now: datetime.datetime) -> bool:
        return self.is_running and now >= self.due_at

    def remaining(self, now: datetime.datetime) -> datetime.timedelta:
        return self.due_at - now


class Incident(models.Model):
    class Category(models.TextChoices):
        LOST_DEVICE = "lost_device", "Lost or stolen device"
        MISDIRECTED_EMAIL = "misdirected_email", "Misdirected e-mail or letter"
        UNAUTHORISED_ACCESS = "unauthorised_access", "Unauthorised access"
        RANSOMWARE = "ransomware", "Ransomware or malware"
        HACKING = "hacking", "Hacking or intrusion"
        IMPROPER_DISPOSAL = "improper_disposal", "Improper disposal"
        UNAVAILABILITY = "unavailability", "Loss of availability"
        OTHER = "other", "Other"

    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CONTAINED = "contained", "Contained"
        ASSESSED = "assessed", "Assessed"
        NOTIFIED = "notified", "Notified"
        CLOSED = "closed", "Closed"

    class DetectionMethod(models.TextChoices):
        AUDIT_ALERT = "audit_alert", "Audit alert"
        AUDIT_REVIEW = "audit_review", "Audit log review"
        STAFF_REPORT = "staff_report", "Reported by staff"
        PATIENT_REPORT = "patient_report", "Reported by a patient"
        THIRD_PARTY = "third_party", "Reported by a third party"
        SYSTEM_CHECK = "system_check", "System check (chain verification, backup check)"
        OTHER = "other", "Other"

    class GdprRisk(models.TextChoices):
        NOT_ASSESSED = "", "Not assessed"
        UNLIKELY = "unlikely", "Unlikely to result in a risk (recorded, no notification)"
        RISK = "risk", "Likely to result in a risk (authority notified)"
        HIGH = "high", "Likely to result in a high risk (authority and individuals notified, Art. 34)"

    class HipaaOutcome(models.TextChoices):
        NOT_ASSESSED = "", "Not assessed"
        LOW_PROBABILITY = "low_probability", "Low probability that the data was compromised (no notification)"
        BREACH = "breach", "Breach: notification required"

    class AcquiredOrViewed(models.TextChoices):
        UNKNOWN = "unknown", "Unknown"
        NOT_ACQUIRED = "not_acquired", "Not acquired or viewed"
        ACQUIRED = "acquired", "Acquired, not known to be viewed"
        VIEWED = "viewed", "Viewed"

    title = models.CharField(max_length=200)
    category = models.CharField(max_length=32, choices=Category.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.MEDIUM)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    description = EncryptedTextField(blank=True)
    detection_method = models.CharField(max_length=32, choices=DetectionMethod.choices)
    detected_at = models.DateTimeField("detected at")
    detected_by = models.CharField("detected by", max_length=200, blank=True)
    aware_at = models.DateTimeField(
        "aware at", help_text="The moment the clinic became aware: every clock starts here."
    )
    reported_at = models.DateTimeField(auto_now_add=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="incidents_reported"
    )
    affected_count_estimate = models.PositiveIntegerField(
        "estimated number of people affected", default=0, help_text="When it exceeds the linked patients."
    )
    data_categories = models.JSONField(default=list, blank=True)
    audit_event_ids = models.JSONField(default=list, blank=True)
    containment_actions = EncryptedTextField(blank=True)
    recovery_actions = EncryptedTextField(blank=True)
    # Risk assessment: HIPAA 164.402(2) four factors and GDPR Art. 33/34.
    nature_and_extent = EncryptedTextField("nature and extent of the data", blank=True)
    unauthorised_recipient = EncryptedTextField("who used or received the data", blank=True)
    acquired_or_viewed = models.CharField(
        "acquired or viewed", max_length=16, choices=AcquiredOrViewed.choices, default=AcquiredOrViewed.UNKNOWN
    )
    mitigation = EncryptedTextField("extent of mitigation", blank=True)
    hipaa_outcome = models.CharField("HIPAA outcome", max_length=20, choices=HipaaOutcome.choices, blank=True)
    gdpr_risk = models.CharField("GDPR risk", max_length=16, choices=GdprRisk.choices, blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents_assessed"
    )
    authority_notified_at = models.DateTimeField(null=True, blank=True)
    individuals_notified_at = models.DateTimeField(null=True, blank=True)
    hhs_notified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    affected_patients = models.ManyToManyField(Patient, through="IncidentPatient", related_name="+")

    class Meta:
        ordering = ["-aware_at", "-id"]

    def __str__(self):
        return f"Incident {self.number}"

    @property
    def number(self) -> str:
        year = self.reported_at.year if self.reported_at else "new"
        return f"INC-{year}-{self.pk or 0:04d}"

    def clean(self):
        errors = {}
        unknown = [key for key in self.data_categories or [] if key not in DATA_CATEGORIES]
        if not isinstance(self.data_categories, list) or unknown:
            errors["data_categories"] = f"Unknown data categories: {', '.join(map(str, unknown)) or 'not a list'}."
        if not isinstance(self.audit_event_ids, list) or not all(
            isinstance(value, int) and not isinstance(value, bool) for value in self.audit_event_ids
        ):
            errors["audit_event_ids"] = "Audit event ids must be a list of whole numbers."
        if errors:
            raise ValidationError(errors)

    def affected_count(self, linked: int | None = None) -> int:
        if linked is None:
            linked = self.patient_links.count() if self.pk else 0
        return max(linked, self.affected_count_estimate)

    def deadlines(self, *, linked: int | None = None) -> list[Deadline]:
        """The three clocks, each with its due time, when it was met and whether it applies."""
        gdpr_applies = self.gdpr_risk != self.GdprRisk.UNLIKELY
        hipaa_applies = self.hipaa_outcome != self.HipaaOutcome.LOW_PROBABILITY
        individuals_due = self.aware_at + datetime.timedelta(days=60)
        many = self.affected_count(linked) >= HHS_IMMEDIATE_THRESHOLD
        return [
            Deadline(
                "authority",
                "Supervisory authority (GDPR, 72 hours)",
                self.aware_at + datetime.timedelta(hours=72),
                self.authority_notified_at,
                gdpr_applies,
            ),
            Deadline(
                "individuals",
                "Affected individuals (HIPAA, 60 days)",
                individuals_due,
                self.individuals_notified_at,
                hipaa_applies,
            ),
            Deadline(
                "hhs",
                "HHS (500 or more: with the individuals)" if many else "HHS annual log (60 days after year end)",
                individuals_due if many else annual_log_due(self.aware_at),
                self.hhs_notified_at,
                hipaa_applies,
            ),
        ]

    def next_deadline(self, *, linked: int | None = None) -> Deadline | None:
        if self.status == self.Status.CLOSED:
            return None
        running = [deadline for deadline in self.deadlines(linked=linked) if deadline.is_running]
        return min(running, key=lambda deadline: deadline.due_at, default=None)


class IncidentPatient(models.Model):
    """A patient whose data an incident touched."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="patient_links")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "patient"], name="incident_patient_once")]

    def __str__(self):
        return f"Incident #{self.incident_id} patient #{self.patient_id}"


class IncidentTimelineEntry(models.Model):
    """One change of an incident: who, when, what kind of change and which fields; no contents."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=48)
    summary = models.CharField(max_length=500)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self):
        return f"Incident #{self.incident_id} {self.action}"


class NotificationDraft(models.Model):
    class Kind(models.TextChoices):
        AUTHORITY = "authority", "Supervisory authority (GDPR Art. 33)"
        INDIVIDUALS = "individuals", "Affected individuals (HIPAA 164.404)"
        HHS = "hhs", "HHS breach report or annual log entry (HIPAA 164.408)"

    # The incident's field that records when each kind of notice was sent.
    SENT_FIELDS = {
        Kind.AUTHORITY: "authority_notified_at",
        Kind.INDIVIDUALS: "individuals_notified_at",
        Kind.HHS: "hhs_notified_at",
    }

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="drafts")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    body = EncryptedTextField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "kind"], name="one_draft_per_kind")]

    def __str__(self):
        return f"Incident #{self.incident_id} {self.kind} notice"


class IncidentReminder(models.Model):
    """A reminder e-mail sent for one deadline and threshold: a rerun finds it and sends nothing."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reminders")
    deadline = models.CharField(max_length=16)
    threshold = models.CharField(max_length=8)
    sent_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "deadline", "threshold"], name="incident_reminder_once")
        ]

    def __str__(self):
        return f"Incident #{self.incident_id} {self.deadline} reminder {self.threshold}"
