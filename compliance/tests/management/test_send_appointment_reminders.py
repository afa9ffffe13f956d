"""`manage.py send_appointment_reminders`: progress lines with ids only, and the summary."""

import pytest
from django.core.management import call_command

from compliance.tests.services.test_reminders import CANARY_REASON, _book, _consent

pytestmark = pytest.mark.django_db


def test_the_command_prints_its_progress_with_ids_only(patient, other_patient, doctor, capsys):
    _consent(patient)
    sent = _book(patient, doctor, hours_ahead=30)
    unanswered = _book(other_patient, doctor, hours_ahead=31)

    call_command("send_appointment_reminders")

    out = capsys.readouterr().out
    assert f"Appointment #{sent.pk}: reminder sent." in out
    assert f"Appointment #{unanswered.pk}: no consent to e-mail reminders, not sent." in out
    assert "2 appointment(s) due a reminder: 1 sent, 1 without consent, 0 without a portal account." in out
    assert patient.email not in out and CANARY_REASON not in out
