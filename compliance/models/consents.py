"""Consent: purposes a patient may consent to, the versions of their text, and every decision.

A decision is about one version of a purpose's text. A consent counts only while the patient's
latest decision for the purpose gives consent to its current version (the highest): a new version
asks again. Decisions are never changed or deleted; a withdrawal is a new decision.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from records.models import Patient


class ConsentPurpose(models.Model):
    # The purposes the code relies on (created by the migration); the clinic may add others.
    PRIVACY_NOTICE = "privacy_notice"
    EMAIL_REMINDERS = "email_reminders"
    RESEARCH = "research_deidentified"

    key = models.SlugField(max_length=64, unique=True, help_text="A stable name, used in the API's URLs.")
    name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True, help_text="Retired purposes are no longer asked.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class ConsentVersion(models.Model):
    purpose = models.ForeignKey(ConsentPurpose, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    text = models.TextField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["purpose_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "version"], name="compliance_consent_version_unique"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="compliance_consent_version_positive"),
        ]

    def __str__(self):
        return f"{self.purpose} v{self.version}"


class ConsentDecision(models.Model):
    class Decision(models.TextChoices):
        GIVEN = "given", "Given"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Channel(models.TextChoices):
        PORTAL = "portal", "Portal"
        PAPER = "paper", "Paper form, recorded by staff"
        API = "api", "API"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consent_decisions")
    purpose = models.ForeignKey(ConsentPurpose, on_delete=models.PROTECT, related_name="decisions")
    version = models.ForeignKey(ConsentVersion, on_delete=models.PROTECT, related_name="decisions")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    # The patient themselves in the portal and the API; the staff member who recorded a paper form.
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["patient", "purpose", "id"], name="compliance_decision_latest")]

    def __str__(self):
        return f"Consent decision #{self.pk}"

    def clean(self):
        if self.version_id and self.purpose_id and self.version.purpose_id != self.purpose_id:
            raise ValidationError({"version": "This version belongs to another purpose."})
