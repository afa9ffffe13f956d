"""A data-subject export: one patient's data, as an encrypted archive on disk, for a few days.

The archive (compliance.exports.archive) is written encrypted under settings.EXPORTS_DIR, outside
any web-served folder, under a random `storage_name` that says nothing about the patient. The row
holds ids, times and sizes only, never a value of the record; `__str__` carries no PHI.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class DataExport(models.Model):
    class Status(models.TextChoices):
        PREPARING = "preparing", "Being prepared"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired and deleted"

    patient = models.ForeignKey("records.Patient", on_delete=models.CASCADE, related_name="data_exports")
    # Who asked: the patient in the portal, or the compliance officer completing a request (null
    # when an operator's command or a background job built it).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The data-subject request this export answers, when there is one (an id, not a foreign key:
    # the request queue is its own model).
    request_id = models.PositiveBigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREPARING)
    created_at = models.DateTimeField()
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    storage_name = models.CharField(max_length=64, blank=True, editable=False)
    # The archive's size before encryption (what the patient downloads) and on disk.
    size = models.PositiveBigIntegerField(default=0)
    stored_size = models.PositiveBigIntegerField(default=0)
    downloads = models.PositiveIntegerField(default=0)
    last_downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "status"], name="dataexport_patient_status")]
        constraints = [
            # At most one export being prepared per patient: a second request gets the first one.
            models.UniqueConstraint(
                fields=["patient"], condition=models.Q(status="preparing"), name="dataexport_one_preparing"
            )
        ]

    def __str__(self):
        return f"Data export #{self.pk}"

    def clean(self):
        if self.expires_at and self.created_at and self.expires_at < self.created_at:
            raise ValidationError({"expires_at": "The expiry must come after the creation."})
