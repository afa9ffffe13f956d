"""Data-subject requests (GDPR Art. 15-22) and the history of each.

A request is about one patient and of one kind; it is due one month from receipt, extendable by
up to two further months with a recorded reason (Art. 12(3)). Every step (opened, identity
verified, assigned, extended, completed, refused, withdrawn, correction applied) is a
RequestEvent row, kept for good. Free text a person wrote (details, notes, reasons) and the
proposed and previous values of a correction are encrypted (records.fields); `__str__` is the
request number only.
"""

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from records.fields import EncryptedTextField

MAX_EXTENSION_MONTHS = 2


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus `months` calendar months, on the last day of the month when it has no such day
    (31 January + 1 month = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class DataSubjectRequest(models.Model):
    class Kind(models.TextChoices):
        ACCESS = "access", "Access to my data"
        PORTABILITY = "portability", "A copy of my data to take elsewhere (portability)"
        RECTIFICATION = "rectification", "Correction of my details (rectification)"
        RESTRICTION = "restriction", "Restriction of processing"
        OBJECTION = "objection", "Objection to processing"
        ERASURE = "erasure", "Erasure of my data"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        IDENTITY_VERIFIED = "identity_verified", "Identity verified"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Channel(models.TextChoices):
        PORTAL = "portal", "Patient portal"
        LETTER = "letter", "Letter"
        DESK = "desk", "At the desk"
        EMAIL = "email", "E-mail"
        PHONE = "phone", "Telephone"

    class IdentityMethod(models.TextChoices):
        PORTAL_SIGN_IN = "portal_sign_in", "Portal sign-in"
        PORTAL_SIGN_IN_MFA = "portal_sign_in_mfa", "Portal sign-in with a second factor"
        PHOTO_ID_DESK = "photo_id_desk", "Photo ID checked at the desk"
        LETTER_SIGNATURE = "letter_signature", "Letter with signature matched to our records"
        CALL_BACK = "call_back", "Call back to the telephone number on record"
        OTHER = "other", "Other (described in the note)"

    class Outcome(models.TextChoices):
        NONE = "", "—"
        DONE = "done", "Done"
        APPLIED = "applied", "Applied"
        PARTLY_APPLIED = "partly_applied", "Partly applied"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    OPEN_STATUSES = (Status.RECEIVED, Status.IDENTITY_VERIFIED, Status.IN_PROGRESS)
    VERIFIED_STATUSES = (Status.IDENTITY_VERIFIED, Status.IN_PROGRESS)

    patient = models.ForeignKey("records.Patient", on_delete=models.PROTECT, related_name="data_subject_requests")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    details = EncryptedTextField(blank=True)
    received_on = models.DateField()
    due_on = models.DateField()
    extension_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = EncryptedTextField(blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    identity_method = models.CharField(max_length=24, choices=IdentityMethod.choices, blank=True)
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    identity_verified_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True, default=Outcome.NONE)
    refusal_reason = EncryptedTextField(blank=True)
    # A correction: the values the patient proposed and, once applied, those they replaced (JSON
    # objects of field name to value, encrypted); the names of the fields applied (not PHI).
    proposed_values = EncryptedTextField(blank=True)
    previous_values = EncryptedTextField(blank=True)
    applied_fields = models.JSONField(default=list, blank=True)
    # The due date a reminder was last sent for: one reminder per due date, whatever reruns.
    reminded_for_due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "kind"],
                condition=Q(status__in=["received", "identity_verified", "in_progress"]),
                name="dsr_one_open_request_per_kind",
                violation_error_message="This patient already has an open request of this kind.",
            )
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="dsr_status_due")]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"DSR-{self.pk or 0:06d}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def identity_verified(self) -> bool:
        return self.identity_verified_at is not None

    def is_overdue(self, today: datetime.date) -> bool:
        return self.is_open and self.due_on < today

    def clean(self):
        if self.extension_months > MAX_EXTENSION_MONTHS:
            raise ValidationError({"extension_months": "The due date can be extended by two months at most."})
        if self.received_on and self.due_on != add_months(self.received_on, 1 + self.extension_months):
            raise ValidationError({"due_on": "The due date is one month from receipt plus the extension."})
        if self.extension_months and not self.extension_reason.strip():
            raise ValidationError({"extension_reason": "An extension needs a recorded reason."})
        if self.status == self.Status.REFUSED and not self.refusal_reason.strip():
            raise ValidationError({"refusal_reason": "A refusal needs a reason."})


class RequestEvent(models.Model):
    """One step of a request, kept for good: who, when, what, and a note."""

    class Action(models.TextChoices):
        OPENED = "opened", "Opened"
        IDENTITY_VERIFIED = "identity_verified", "Identity verified"
        ASSIGNED = "assigned", "Assigned"
        EXTENDED = "extended", "Due date extended"
        COMPLETED = "completed", "Completed"
        CORRECTION_APPLIED = "correction_applied", "Correction applied"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"
        RESTRICTION_LIFTED = "restriction_lifted", "Restriction lifted"
        REMINDER_SENT = "reminder_sent", "Reminder sent"

    request = models.ForeignKey(DataSubjectRequest, on_delete=models.PROTECT, related_name="events")
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=24, choices=Action.choices)
    status = models.CharField(max_length=20, choices=DataSubjectRequest.Status.choices)
    note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self):
        return f"Request event #{self.pk}"
