"""The HIPAA accounting of disclosures (45 CFR 164.528): each disclosure of a patient's information
outside treatment, payment and health-care operations, and the patients' requests for an accounting.

An accounting covers the six years before the request and is due within 60 days of it; the
deadline may be extended once, by at most 30 days, with a written reason given to the patient.
Recipients and descriptions are PHI: they are encrypted like the rest of the record.
"""

import datetime

from django.conf import settings
from django.db import models

from records.fields import EncryptedCharField, EncryptedTextField
from records.models import Patient

ACCOUNTING_PERIOD = datetime.timedelta(days=6 * 365 + 2)
ACCOUNTING_DUE = datetime.timedelta(days=60)
ACCOUNTING_EXTENSION = datetime.timedelta(days=30)


class Disclosure(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    disclosed_at = models.DateTimeField("date of the disclosure")
    recipient = EncryptedCharField("recipient", max_length=200)
    recipient_address = EncryptedTextField("recipient's address", blank=True)
    description = EncryptedTextField("what was disclosed")
    purpose = EncryptedTextField("purpose or legal basis")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # None for an entry the system made (an export released to a third party).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-disclosed_at", "-id"]

    def __str__(self):
        return f"Disclosure #{self.pk}"


class AccountingRequest(models.Model):
    """A patient's request for the accounting of disclosures of their record."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField()
    extended_at = models.DateTimeField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    produced_at = models.DateTimeField(null=True, blank=True)
    produced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "id"]

    def __str__(self):
        return f"Accounting request #{self.pk}"

    @property
    def period_start(self) -> datetime.datetime:
        return self.requested_at - ACCOUNTING_PERIOD
