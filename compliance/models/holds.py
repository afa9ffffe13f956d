"""Legal holds: while one is active on a patient, nothing of theirs is erased or purged.

Lifting keeps the row (who placed it and why, who lifted it, when and why); the reasons are
encrypted (records.fields); `__str__` carries no PHI.
"""

from django.conf import settings
from django.db import models

from records.fields import EncryptedTextField


class LegalHold(models.Model):
    patient = models.ForeignKey("records.Patient", on_delete=models.PROTECT, related_name="legal_holds")
    reason = EncryptedTextField()
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField()
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [models.Index(fields=["patient", "lifted_at"], name="legalhold_patient_lifted")]

    def __str__(self):
        return f"Legal hold #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None
