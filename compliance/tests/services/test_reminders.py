"""Appointment reminders: only to patients whose consent to e-mail reminders stands, each once,
with the date, time and clinic and nothing clinical."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEvent
from compliance.models import AppointmentReminder, ConsentDecision, ConsentPurpose
from compliance.services.consents import consent_decide, consent_record_paper, consent_version_publish
from compliance.services.reminders import appointment_reminders_send
from records.models import Appointment

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
    assert [message.to for message in mail.outbox] == [[patient.email]]
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

    assert [message.to for message in mail.outbox] == [[other_patient.email]]
    assert list(AppointmentReminder.objects.values_list("appointment", flat=True)) == [theirs.pk]


def test_without_a_contact_address_the_portal_accounts_is_used(make_user, receptionist, doctor, patient):
    patient.email = ""
    patient.save(update_fields=["email"])
    _consent(patient)
    _book(patient, doctor, hours_ahead=30)
    appointment_reminders_send(now=NOW)
    assert [message.to for message in mail.outbox] == [[patient.user.email]]


def test_a_failed_send_leaves_no_row_and_the_next_run_sends_it(patient, doctor, monkeypatch):
    _consent(patient)
    _book(patient, doctor, hours_ahead=30)

    def refuse(**kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("compliance.services.reminders.send_account_email", refuse)
    with pytest.raises(ConnectionRefusedError):
        appointment_reminders_send(now=NOW)
    assert not AppointmentReminder.objects.exists()

    monkeypatch.undo()
    assert appointment_reminders_send(now=NOW).sent == 1


def test_the_command_prints_its_progress_with_ids_only(patient, other_patient, doctor, capsys):
    _consent(patient)
    sent = _book(patient, doctor, hours_ahead=30)
    unanswered = _book(other_patient, doctor, hours_ahead=31)

    call_command("send_appointment_reminders")

    out = capsys.readouterr().out
    assert f"Appointment #{sent.pk}: reminder sent." in out
    assert f"Appointment #{unanswered.pk}: no consent to e-mail reminders, not sent." in out
    assert "2 appointment(s) due a reminder: 1 sent, 1 without consent, 0 without an e-mail address." in out
    assert patient.email not in out and CANARY_REASON not in out
