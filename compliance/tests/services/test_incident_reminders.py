"""Deadline reminders, time-frozen: each fires once per deadline and threshold, not before its
time, not after the deadline passed or was met, and carries no patient data."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from freezegun import freeze_time

from accounts.models import OutgoingEmail, User
from accounts.roles import Role
from compliance.models import IncidentReminder
from compliance.services import incidents as services
from compliance.tests.factories import ASSESSMENT, officer, open_incident
from records.tests.factories import register_patient

pytestmark = pytest.mark.django_db

AWARE = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def incident(make_user):
    make_user(Role.COMPLIANCE, email="second.officer@example.test")
    with freeze_time(AWARE + HOUR):
        item = open_incident(aware_at=AWARE, detected_at=AWARE)
    mail.outbox.clear()
    return item


def send_at(moment) -> int:
    with freeze_time(moment):
        return services.incident_deadline_reminders_send()


def reminders(incident) -> set:
    return set(IncidentReminder.objects.filter(incident=incident).values_list("deadline", "threshold"))


def test_no_reminder_before_24_hours_before_the_72_hours(incident):
    assert send_at(AWARE + 48 * HOUR - datetime.timedelta(seconds=1)) == 0
    assert mail.outbox == []


def test_the_24_hour_reminder_fires_once_and_a_rerun_sends_nothing(incident):
    assert send_at(AWARE + 48 * HOUR) == 1
    assert len(mail.outbox) == 2  # both compliance officers
    assert send_at(AWARE + 49 * HOUR) == 0
    assert len(mail.outbox) == 2
    assert reminders(incident) == {("authority", "24h")}


def test_the_6_hour_reminder_fires_once_after_the_24_hour_one(incident):
    send_at(AWARE + 48 * HOUR)
    mail.outbox.clear()
    assert send_at(AWARE + 66 * HOUR) == 1
    assert send_at(AWARE + 67 * HOUR) == 0
    assert len(mail.outbox) == 2
    assert reminders(incident) == {("authority", "24h"), ("authority", "6h")}


def test_a_run_that_missed_the_24_hour_reminder_sends_only_the_6_hour_one(incident):
    assert send_at(AWARE + 70 * HOUR) == 1
    assert len(mail.outbox) == 2
    assert "6h" in {threshold for _, threshold in reminders(incident)}
    assert send_at(AWARE + 71 * HOUR) == 0


def test_no_reminder_once_the_deadline_has_passed(incident):
    assert send_at(AWARE + 72 * HOUR) == 0
    assert mail.outbox == []


def test_no_reminder_when_the_deadline_is_met(incident):
    actor = officer()
    with freeze_time(AWARE + 10 * HOUR):
        services.incident_draft_generate(actor=actor, incident_id=incident.pk, kind="authority")
        services.incident_draft_mark_sent(
            actor=actor, incident_id=incident.pk, kind="authority", sent_at=AWARE + 9 * HOUR
        )
    assert send_at(AWARE + 70 * HOUR) == 0
    assert mail.outbox == []


def test_no_reminder_when_the_assessment_says_no_notification_is_due(incident):
    with freeze_time(AWARE + 2 * HOUR):
        services.incident_assess(
            actor=officer(),
            incident_id=incident.pk,
            data={**ASSESSMENT, "gdpr_risk": "unlikely", "hipaa_outcome": "low_probability"},
        )
    assert send_at(AWARE + 70 * HOUR) == 0
    assert send_at(AWARE + 59 * DAY + HOUR) == 0


def test_no_reminder_for_a_closed_incident(incident):
    with freeze_time(AWARE + 2 * HOUR):
        services.incident_update(actor=officer(), incident_id=incident.pk, data={"status": "closed"})
    assert send_at(AWARE + 70 * HOUR) == 0


def test_the_60_day_reminders_7_days_and_1_day_before_each_once(incident):
    actor = officer()
    with freeze_time(AWARE + 2 * HOUR):
        services.incident_draft_generate(actor=actor, incident_id=incident.pk, kind="authority")
        services.incident_draft_mark_sent(actor=actor, incident_id=incident.pk, kind="authority", sent_at=AWARE + HOUR)
    due = AWARE + 60 * DAY
    assert send_at(due - 7 * DAY - HOUR) == 0
    assert send_at(due - 7 * DAY) == 1
    assert send_at(due - 6 * DAY) == 0
    assert send_at(due - DAY) == 1
    assert send_at(due - HOUR) == 0
    assert send_at(due) == 0
    assert reminders(incident) == {("individuals", "7d"), ("individuals", "1d")}


def test_the_hhs_reminder_for_500_or_more_runs_with_the_individuals(incident):
    actor = officer()
    with freeze_time(AWARE + 2 * HOUR):
        services.incident_update(actor=actor, incident_id=incident.pk, data={"affected_count_estimate": 600})
    assert send_at(AWARE + 53 * DAY) == 2  # individuals and HHS, each 7 days before
    assert reminders(incident) == {("individuals", "7d"), ("hhs", "7d")}


def test_the_hhs_annual_log_reminder_before_the_first_of_march(incident):
    actor = officer()
    with freeze_time(AWARE + 2 * HOUR):
        for kind in ("authority", "individuals"):
            services.incident_draft_generate(actor=actor, incident_id=incident.pk, kind=kind)
            services.incident_draft_mark_sent(actor=actor, incident_id=incident.pk, kind=kind, sent_at=AWARE + HOUR)
    due = datetime.datetime(2027, 3, 2, tzinfo=datetime.UTC)
    assert send_at(due - 8 * DAY) == 0
    assert send_at(due - 7 * DAY) == 1
    assert send_at(due - 7 * DAY + HOUR) == 0
    assert reminders(incident) == {("hhs", "7d")}


def test_the_mail_carries_the_number_the_deadline_and_a_link_and_no_patient_data(incident):
    patient = register_patient(family_name="Canaryfamilyzq", given_name="Canarygivenzq")
    with freeze_time(AWARE + 2 * HOUR):
        services.incident_patients_add(actor=officer(), incident_id=incident.pk, patient_ids=[patient.pk])
    send_at(AWARE + 48 * HOUR)
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    for text in (message.subject, message.body, html):
        assert "Canary" not in text
        assert "Laptop" not in text  # the title is not in the mail either
        assert incident.description not in text
    assert incident.number in message.body
    assert "2026-03-13 09:00 UTC" in message.body
    assert f"/compliance/incidents/{incident.pk}/" in message.body


def test_a_mail_server_that_fails_leaves_the_reminder_queued_in_the_outbox(incident, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    assert send_at(AWARE + 48 * HOUR) == 1
    emails = list(OutgoingEmail.objects.filter(template="incident_deadline_reminder"))
    assert emails and all((email.status, email.attempts) == (OutgoingEmail.Status.QUEUED, 1) for email in emails)
    assert all("link" not in email.context and incident.title not in str(email.context) for email in emails)
    assert send_at(AWARE + 48 * HOUR + HOUR) == 0


def test_the_command_sends_and_says_how_many(incident, capsys):
    with freeze_time(AWARE + 48 * HOUR):
        call_command("send_incident_reminders")
        call_command("send_incident_reminders")
    out = capsys.readouterr().out
    assert "1 incident deadline reminder sent." in out
    assert "0 incident deadline reminders sent." in out


def test_without_a_compliance_officer_nothing_is_recorded_and_the_reminder_waits(incident):
    User.objects.filter(groups__name="compliance").update(is_active=False)
    assert send_at(AWARE + 48 * HOUR) == 0
    assert reminders(incident) == set()
    User.objects.filter(groups__name="compliance").update(is_active=True)
    assert send_at(AWARE + 49 * HOUR) == 1
