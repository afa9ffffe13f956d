from django.db import models
from django.utils import timezone

from records.models import Appointment


class AppointmentReminder(models.Model):
    """An appointment's reminder e-mail was sent: at most one row per appointment, so a rerun of
    the reminder job sends nothing twice. No address and no content: those stay in records."""

    appointment = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="reminder")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Appointment reminder #{self.pk}"
