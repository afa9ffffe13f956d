"""The incident pages: what a compliance officer sees and does, the messages after each action,
bad input answered on the page, and the register closed to everyone else."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts.roles import Role
from audit.models import AuditEvent
from compliance.models import Incident, IncidentPatient, NotificationDraft
from compliance.services import incidents as services
from compliance.tests.factories import ASSESSMENT, open_incident
from records.tests.factories import register_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(make_user, otp_login):
    user = make_user(Role.COMPLIANCE)
    client = otp_login(user)
    client.officer = user
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def form_data(**overrides) -> dict:
    now = timezone.now()
    data = {
        "title": "E-mail with lab results sent to the wrong address",
        "category": "misdirected_email",
        "severity": "medium",
        "description": "",
        "detection_method": "staff_report",
        "detected_by": "Nurse on duty",
        "detected_at": (now - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "aware_at": (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "affected_count_estimate": "1",
        "data_categories": ["clinical", "contact"],
        "audit_event_ids": "",
    }
    data.update(overrides)
    return data


def test_an_officer_opens_an_incident_and_sees_its_clocks(officer_client):
    response = officer_client.post(reverse("compliance:incident-new"), form_data(), follow=True)
    incident = Incident.objects.get()
    assert f"Incident {incident.number} opened." in " ".join(messages_of(response))
    html = response.content.decode()
    assert "Supervisory authority (GDPR, 72 hours)" in html
    assert "2 days 23 hours left" in html or "2 days 22 hours left" in html
    assert incident.data_categories == ["clinical", "contact"]


def test_a_forged_audit_event_id_is_a_form_error_and_nothing_is_stored(officer_client):
    response = officer_client.post(reverse("compliance:incident-new"), form_data(audit_event_ids="12, 999999"))
    assert response.status_code == 200
    assert "No audit event with id" in response.content.decode()
    assert not Incident.objects.exists()


def test_an_incident_from_an_audit_event_shows_it(officer_client):
    open_incident(actor=officer_client.officer)
    event_id = AuditEvent.objects.latest("id").id
    response = officer_client.get(reverse("compliance:incident-new") + f"?audit_event={event_id}")
    assert f'value="{event_id}"' in response.content.decode()
    officer_client.post(reverse("compliance:incident-new"), form_data(audit_event_ids=str(event_id)))
    incident = Incident.objects.latest("id")
    html = officer_client.get(reverse("compliance:incident-detail", args=[incident.pk])).content.decode()
    assert f"#{event_id} " in html


def test_the_register_is_sorted_by_next_deadline_and_marks_overdue(officer_client):
    now = timezone.now()
    later = open_incident(actor=officer_client.officer, title="Due later", aware_at=now - datetime.timedelta(hours=1))
    overdue = open_incident(
        actor=officer_client.officer, title="Overdue one", aware_at=now - datetime.timedelta(days=4)
    )
    soon = open_incident(actor=officer_client.officer, title="Due soon", aware_at=now - datetime.timedelta(hours=60))
    html = officer_client.get(reverse("compliance:incident-list")).content.decode()
    positions = [html.index(item.number) for item in (overdue, soon, later)]
    assert positions == sorted(positions)
    assert "Overdue" in html.split(overdue.number, 1)[1].split("</tr>", 1)[0]
    assert "Overdue" not in html.split(later.number, 1)[1].split("</tr>", 1)[0]


def test_assessment_errors_are_on_the_page(officer_client):
    incident = open_incident(actor=officer_client.officer)
    response = officer_client.post(reverse("compliance:incident-assess", args=[incident.pk]), {"mitigation": ""})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    response = officer_client.post(reverse("compliance:incident-assess", args=[incident.pk]), ASSESSMENT, follow=True)
    assert "Risk assessment of incident" in " ".join(messages_of(response))
    incident.refresh_from_db()
    assert incident.status == "assessed"


def test_a_patient_id_that_does_not_exist_is_a_form_error(officer_client):
    incident = open_incident(actor=officer_client.officer)
    real = register_patient()
    response = officer_client.post(
        reverse("compliance:incident-patients", args=[incident.pk]), {"patient_ids": f"{real.pk}, 9999999"}
    )
    assert response.status_code == 200
    assert "No patient with id 9999999: nothing was added." in response.content.decode()
    assert not IncidentPatient.objects.exists()
    response = officer_client.post(reverse("compliance:incident-patients", args=[incident.pk]), {"patient_ids": "abc"})
    assert "is not a patient id" in response.content.decode()


def test_the_affected_patients_shown_are_an_access_event(officer_client):
    incident = open_incident(actor=officer_client.officer)
    patient = register_patient(family_name="Shownfamily")
    officer_client.post(reverse("compliance:incident-patients", args=[incident.pk]), {"patient_ids": str(patient.pk)})
    html = officer_client.get(reverse("compliance:incident-detail", args=[incident.pk])).content.decode()
    assert "Shownfamily" in html
    event = AuditEvent.objects.filter(action="incident.patients_read").latest("id")
    assert event.details["patient_ids"] == [patient.pk] and event.actor_id == officer_client.officer.pk


def test_drafts_written_edited_and_recorded_as_sent(officer_client):
    incident = open_incident(actor=officer_client.officer)
    draft_url = reverse("compliance:incident-draft", args=[incident.pk, "authority"])
    response = officer_client.post(
        reverse("compliance:incident-draft-generate", args=[incident.pk, "authority"]), follow=True
    )
    assert "draft written from the incident" in " ".join(messages_of(response))
    response = officer_client.post(draft_url, {"body": "Edited notice text"}, follow=True)
    assert "notice saved" in " ".join(messages_of(response))
    assert NotificationDraft.objects.get().body == "Edited notice text"
    sent = (timezone.now() - datetime.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M")
    response = officer_client.post(
        reverse("compliance:incident-draft-sent", args=[incident.pk, "authority"]), {"sent_at": sent}, follow=True
    )
    assert "recorded as sent" in " ".join(messages_of(response))
    incident.refresh_from_db()
    assert incident.status == "notified"
    # The deadline already met: a clear message, nothing changed.
    response = officer_client.post(
        reverse("compliance:incident-draft-sent", args=[incident.pk, "authority"]), {"sent_at": sent}, follow=True
    )
    assert "already met" in " ".join(messages_of(response))


def test_a_draft_for_a_closed_incident_is_refused_with_a_message(officer_client):
    incident = open_incident(actor=officer_client.officer)
    services.incident_update(actor=officer_client.officer, incident_id=incident.pk, data={"status": "closed"})
    response = officer_client.post(
        reverse("compliance:incident-draft-generate", args=[incident.pk, "individuals"]), follow=True
    )
    assert "is closed" in " ".join(messages_of(response))
    assert not NotificationDraft.objects.exists()
    response = officer_client.get(reverse("compliance:incident-edit", args=[incident.pk]), follow=True)
    assert "can no longer be changed" in " ".join(messages_of(response))


def test_an_unknown_kind_of_notice_or_incident_is_404(officer_client):
    incident = open_incident(actor=officer_client.officer)
    assert officer_client.get(reverse("compliance:incident-draft", args=[incident.pk, "press"])).status_code == 404
    assert officer_client.get(reverse("compliance:incident-detail", args=[incident.pk + 100])).status_code == 404
    assert officer_client.get(f"/compliance/incidents/{2**70}/").status_code == 404


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.PATIENT, Role.DOCTOR, Role.ADMIN])
def test_no_one_else_sees_the_register(make_user, otp_login, client, role):
    incident = open_incident()
    user = make_user(role)
    if role is Role.PATIENT:
        client.force_login(user)
    else:
        client = otp_login(user)
    for url in (
        reverse("compliance:incident-list"),
        reverse("compliance:incident-detail", args=[incident.pk]),
        reverse("compliance:incident-draft", args=[incident.pk, "authority"]),
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert incident.title not in response.content.decode()


def test_the_countdown_reads_overdue_after_the_deadline(officer_client):
    with freeze_time("2026-03-10 09:00:00"):
        incident = open_incident(actor=officer_client.officer, aware_at=timezone.now(), detected_at=timezone.now())
    with freeze_time("2026-03-13 10:30:00"):
        html = officer_client.get(reverse("compliance:incident-detail", args=[incident.pk])).content.decode()
    assert "overdue by 1 hour 30 minutes" in html
