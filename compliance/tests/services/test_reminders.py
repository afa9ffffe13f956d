"""Appointment reminders: only to patients whose consent to e-mail reminders stands, each once,
with the date, time and clinic and nothing clinical."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import OutgoingEmail
from audit.models import AuditEvent
from compliance.models import AppointmentReminder, ConsentDecision, ConsentPurpose
from compliance.services.consents import consent_decide, consent_record_paper, consent_version_publish
from compliance.services.reminders import appointment_reminders_send
from records.models import Appointment
from records.services import patient_restriction_set

pytestmark = pytest.mark.django_db

REMINDERS = ConsentPurpose.EMAIL_REMINDERS
GIVEN, WITHDRAWN = ConsentDecision.Decision.GIVEN, ConsentDecision.Decision.WITHDRAWN
NOW = timezone.now().replace(microsecond=0)
CANARY_REASON = "Zyxquorrel follow-up for hepatitis"


def _book(patient, clinician, *, hours_ahead, status=Appointment.Status.BOOKED):
    start = NOW + timedelta(hours=hours_ahead)
    return Appointment.objects.create(
        patient=patient,
        clinician=clinician,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        reason=CANARY_REASON,
        status=status,
    )


def _consent(patient, decision=GIVEN, version=1):
    consent_decide(actor=patient.user, purpose_key=REMINDERS, decision=decision, version=version)


@pytest.fixture(autouse=True)
def _outbox():
    mail.outbox.clear()


def test_a_consenting_patient_gets_one_reminder_without_clinical_detail(patient, doctor, settings):
    settings.CLINIC_NAME = "Sampletown Family Clinic"
    _consent(patient)
    appointment = _book(patient, doctor, hours_ahead=30)

    run = appointment_reminders_send(now=NOW)

    assert (run.due, run.sent) == (1, 1)
    assert [message.to for message in mail.outbox] == [[patient.user.email]]
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "Sampletown Family Clinic" in body
        assert appointment.starts_at.strftime("%H:%M") in body
        assert CANARY_REASON not in body and "Zyxquorrel" not in body
        assert patient.family_name not in body and patient.mrn not in body
    assert AppointmentReminder.objects.filter(appointment=appointment).count() == 1
    event = AuditEvent.objects.get(action="appointment.reminder_send")
    assert (event.patient_id, event.actor_role, event.record_id) == (patient.pk, "system", str(appointment.pk))


def test_a_rerun_sends_nothing_twice(patient, doctor):
    _consent(patient)
    _book(patient, doctor, hours_ahead=30)
    appointment_reminders_send(now=NOW)

    again = appointment_reminders_send(now=NOW + timedelta(hours=1))

    assert (again.due, again.sent) == (0, 0)
    assert len(mail.outbox) == 1


def test_a_patient_who_never_answered_gets_none(patient, doctor):
    _book(patient, doctor, hours_ahead=30)

    run = appointment_reminders_send(now=NOW)

    assert (run.due, run.sent, run.without_consent) == (1, 0, 1)
    assert mail.outbox == []
    assert not AppointmentReminder.objects.exists()


def test_a_withdrawal_stops_them(patient, doctor):
    _consent(patient)
    _consent(patient, WITHDRAWN)
    _book(patient, doctor, hours_ahead=30)

    run = appointment_reminders_send(now=NOW)

    assert (run.sent, run.without_consent) == (0, 1)
    assert mail.outbox == []


def test_a_withdrawal_between_two_runs_stops_the_next_reminder(patient, doctor):
    _consent(patient)
    _book(patient, doctor, hours_ahead=30)
    appointment_reminders_send(now=NOW)
    _book(patient, doctor, hours_ahead=60)
    _consent(patient, WITHDRAWN)

    run = appointment_reminders_send(now=NOW + timedelta(hours=24))

    assert (run.due, run.sent) == (1, 0)
    assert len(mail.outbox) == 1


def test_consent_to_an_old_version_does_not_count(patient, doctor, compliance_officer):
    _consent(patient)
    consent_version_publish(
        actor=compliance_officer, purpose=ConsentPurpose.objects.get(key=REMINDERS), text="Reminders, new wording."
    )
    _book(patient, doctor, hours_ahead=30)

    assert appointment_reminders_send(now=NOW).sent == 0
    assert mail.outbox == []


def test_a_paper_consent_counts(patient, doctor, receptionist):
    consent_record_paper(actor=receptionist, patient_id=patient.pk, purpose_key=REMINDERS, decision=GIVEN, version=1)
    _book(patient, doctor, hours_ahead=30)
    assert appointment_reminders_send(now=NOW).sent == 1


def test_only_booked_appointments_24_to_48_hours_ahead(patient, doctor):
    _consent(patient)
    _book(patient, doctor, hours_ahead=23)
    _book(patient, doctor, hours_ahead=49)
    _book(patient, doctor, hours_ahead=30, status=Appointment.Status.CANCELLED)
    inside = _book(patient, doctor, hours_ahead=24)

    run = appointment_reminders_send(now=NOW)

    assert run.sent == 1
    assert list(AppointmentReminder.objects.values_list("appointment", flat=True)) == [inside.pk]


def test_another_patients_consent_sends_nothing_to_this_one(patient, other_patient, doctor):
    _consent(other_patient)
    _book(patient, doctor, hours_ahead=30)
    theirs = _book(other_patient, doctor, hours_ahead=30)

    appointment_reminders_send(now=NOW)

    assert [message.to for message in mail.outbox] == [[other_patient.user.email]]
    assert list(AppointmentReminder.objects.values_list("appointment", flat=True)) == [theirs.pk]


def test_a_patient_without_a_portal_account_gets_none_and_is_counted(patient, doctor):
    _consent(patient)
    user = patient.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    _book(patient, doctor, hours_ahead=30)

    run = appointment_reminders_send(now=NOW)

    assert (run.due, run.sent, run.without_account) == (1, 0, 1)
    assert mail.outbox == []
    assert not AppointmentReminder.objects.exists()


def test_the_reminder_goes_through_the_outbox_without_an_address_or_a_reason_stored(patient, doctor):
    _consent(patient)
    appointment = _book(patient, doctor, hours_ahead=30)

    appointment_reminders_send(now=NOW)

    email = OutgoingEmail.objects.get(template="appointment_reminder")
    assert email.recipient == patient.user
    assert email.status == OutgoingEmail.Status.SENT
    assert set(email.context) == {"starts_at", "clinic_name"}
    assert email.context["starts_at"] == appointment.starts_at.isoformat()
    assert CANARY_REASON not in str(email.context) and patient.email not in str(email.context)


def test_a_mail_server_that_fails_keeps_the_reminder_queued_for_the_outbox(patient, doctor, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    _consent(patient)
    _book(patient, doctor, hours_ahead=30)

    run = appointment_reminders_send(now=NOW)

    assert run.sent == 1
    email = OutgoingEmail.objects.get(template="appointment_reminder")
    assert (email.status, email.attempts) == (OutgoingEmail.Status.QUEUED, 1)
    assert AppointmentReminder.objects.count() == 1
    assert appointment_reminders_send(now=NOW).sent == 0


def test_a_restricted_patient_gets_none_though_they_consented(patient, doctor, compliance_officer):
    _consent(patient)
    _book(patient, doctor, hours_ahead=30)
    patient_restriction_set(
        actor=compliance_officer, patient_id=patient.pk, restricted=True, reason="DSR-1: Restriction"
    )

    run = appointment_reminders_send(now=NOW)

    assert (run.due, run.sent, run.without_consent) == (1, 0, 1)
    assert mail.outbox == []
    patient_restriction_set(actor=compliance_officer, patient_id=patient.pk, restricted=False, reason="lifted")
    assert appointment_reminders_send(now=NOW).sent == 1
