"""Appointment reminder e-mails, sent only to patients who consented to e-mail reminders."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.services.emails import email_queue
from audit.models import AuditEvent
from audit.services import SYSTEM_ACTOR, record_access
from compliance.models import AppointmentReminder, ConsentPurpose
from compliance.selectors import consenting_patient_ids
from records import policies as records_policies
from records.models import Appointment

# Appointments starting between 24 and 48 hours from the run get their reminder. A daily run
# covers every appointment once; a run every hour finds each one in 24 runs and sends it once.
REMINDER_WINDOW_START = timedelta(hours=24)
REMINDER_WINDOW_END = timedelta(hours=48)


@dataclass
class ReminderRun:
    due: int = 0  # booked appointments in the window, without a reminder yet
    sent: int = 0
    without_consent: int = 0  # no consent to the current version, or processing restricted
    without_account: int = 0  # no active portal account: the outbox sends only to accounts


def _send_one(appointment: Appointment) -> bool:
    """Record the reminder and queue its e-mail to the patient's portal account in one
    transaction; a reminder another run recorded first is not queued twice. The outbox sends it
    after commit and retries a mail server that fails (accounts.services.emails)."""
    try:
        with transaction.atomic():
            reminder = AppointmentReminder.objects.create(appointment=appointment)
            email_queue(
                template="appointment_reminder",
                recipient=appointment.patient.user,
                context={"starts_at": appointment.starts_at.isoformat(), "clinic_name": settings.CLINIC_NAME},
            )
            record_access(
                actor=SYSTEM_ACTOR,
                patient_id=appointment.patient_id,
                record_type="appointment",
                action="appointment.reminder_send",
                purpose=AuditEvent.Purpose.ADMINISTRATION,
                record_id=appointment.pk,
                details={"reminder_id": reminder.pk, "consent": ConsentPurpose.EMAIL_REMINDERS},
            )
    except IntegrityError:
        return False
    return True


def appointment_reminders_send(*, now=None, progress: Callable[[str], None] | None = None) -> ReminderRun:
    """Send the reminder of every booked appointment 24 to 48 hours ahead, once each, to the
    patients whose current consent to e-mail reminders stands. `progress` receives a line per
    appointment (ids only)."""
    now = now or timezone.now()
    report = progress or (lambda line: None)
    due = (
        Appointment.objects.filter(
            status=Appointment.Status.BOOKED,
            starts_at__gte=now + REMINDER_WINDOW_START,
            starts_at__lt=now + REMINDER_WINDOW_END,
            reminder__isnull=True,
        )
        .select_related("patient", "patient__user")
        .order_by("starts_at", "id")
    )
    # Consent to the current version stands, and no restriction or objection (GDPR 18, 21) stops it.
    consenting = set(
        records_policies.processing_allowed(
            consenting_patient_ids(purpose_key=ConsentPurpose.EMAIL_REMINDERS)
        ).values_list("pk", flat=True)
    )
    run = ReminderRun()
    for appointment in due:
        run.due += 1
        if appointment.patient_id not in consenting:
            run.without_consent += 1
            report(f"Appointment #{appointment.pk}: no consent to e-mail reminders, not sent.")
            continue
        if appointment.patient.user is None or not appointment.patient.user.is_active:
            run.without_account += 1
            report(f"Appointment #{appointment.pk}: the patient has no portal account, not sent.")
            continue
        if _send_one(appointment):
            run.sent += 1
            report(f"Appointment #{appointment.pk}: reminder sent.")
    return run
