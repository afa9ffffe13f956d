"""The incident register's writes: every attack and bad input refused with nothing half-done."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent
from compliance.models import Incident, IncidentPatient, IncidentTimelineEntry, NotificationDraft
from compliance.services import incidents as services
from compliance.tests.factories import ASSESSMENT, incident_data, officer, open_incident
from records.tests.factories import register_patient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.DOCTOR, Role.NURSE, Role.ADMIN, Role.PATIENT, None])
def test_only_compliance_officers_open_incidents(make_user, role):
    with pytest.raises(PermissionDenied):
        services.incident_open(actor=make_user(role), data=incident_data())
    assert not Incident.objects.exists()


def test_opening_writes_the_timeline_and_a_security_event():
    actor = officer()
    incident = open_incident(actor=actor)
    entry = IncidentTimelineEntry.objects.get(incident=incident)
    assert entry.actor == actor and entry.action == "opened"
    event = AuditEvent.objects.filter(action="incident.open").get()
    assert event.actor_id == actor.pk and event.details["incident_id"] == incident.pk


def test_an_incident_opened_from_audit_events_links_them():
    actor = officer()
    open_incident(actor=actor)
    existing = AuditEvent.objects.latest("id").id
    incident = open_incident(actor=actor, audit_event_ids=[existing], detection_method="audit_alert")
    assert incident.audit_event_ids == [existing]
    assert str(existing) in IncidentTimelineEntry.objects.filter(incident=incident).get().summary


def test_a_forged_audit_event_id_is_refused_and_nothing_is_stored():
    with pytest.raises(ValidationError) as caught:
        open_incident(audit_event_ids=[987654321])
    assert "987654321" in str(caught.value)
    assert not Incident.objects.exists()


def test_unknown_data_categories_are_refused():
    with pytest.raises(ValidationError):
        open_incident(data_categories=["clinical", "astrology"])
    assert not Incident.objects.exists()


def test_awareness_in_the_future_is_refused():
    with pytest.raises(ValidationError) as caught:
        open_incident(aware_at=timezone.now() + datetime.timedelta(days=1))
    assert "aware_at" in caught.value.message_dict


def test_adding_patients_is_an_access_event_per_patient_and_in_the_timeline_by_id_only():
    actor = officer()
    incident = open_incident(actor=actor)
    first, second = register_patient(family_name="Timelinecanary"), register_patient()
    added = services.incident_patients_add(actor=actor, incident_id=incident.pk, patient_ids=[first.pk, second.pk])
    assert added == [first.pk, second.pk]
    events = AuditEvent.objects.filter(action="incident.patient_link")
    assert sorted(events.values_list("patient_id", flat=True)) == sorted([first.pk, second.pk])
    assert all(event.actor_id == actor.pk and event.purpose == "administration" for event in events)
    summaries = " ".join(IncidentTimelineEntry.objects.filter(incident=incident).values_list("summary", flat=True))
    assert "Timelinecanary" not in summaries and str(first.pk) in summaries


def test_a_patient_id_that_does_not_exist_adds_no_one():
    actor = officer()
    incident = open_incident(actor=actor)
    real = register_patient()
    with pytest.raises(ValidationError) as caught:
        services.incident_patients_add(actor=actor, incident_id=incident.pk, patient_ids=[real.pk, 99999999])
    assert "99999999" in str(caught.value)
    assert not IncidentPatient.objects.exists()
    assert not AuditEvent.objects.filter(action="incident.patient_link").exists()


def test_an_id_beyond_the_database_range_is_a_validation_error():
    actor = officer()
    incident = open_incident(actor=actor)
    with pytest.raises(ValidationError):
        services.incident_patients_add(actor=actor, incident_id=incident.pk, patient_ids=[2**70])


def test_linking_a_patient_twice_keeps_one_link():
    actor = officer()
    incident = open_incident(actor=actor)
    patient = register_patient()
    services.incident_patients_add(actor=actor, incident_id=incident.pk, patient_ids=[patient.pk])
    assert services.incident_patients_add(actor=actor, incident_id=incident.pk, patient_ids=[patient.pk]) == []
    assert IncidentPatient.objects.count() == 1


def test_the_timeline_names_changed_fields_but_not_free_text():
    actor = officer()
    incident = open_incident(actor=actor)
    services.incident_update(
        actor=actor,
        incident_id=incident.pk,
        data={"containment_actions": "Revoked sessions of Jane Canarydoe", "status": "contained"},
    )
    entry = IncidentTimelineEntry.objects.filter(incident=incident, action="updated").get()
    assert "containment actions" in entry.summary and "open → contained" in entry.summary
    assert "Canarydoe" not in entry.summary


def test_assessment_needs_every_factor_and_moves_the_status():
    actor = officer()
    incident = open_incident(actor=actor)
    with pytest.raises(ValidationError) as caught:
        services.incident_assess(actor=actor, incident_id=incident.pk, data={**ASSESSMENT, "mitigation": " "})
    assert "mitigation" in caught.value.message_dict
    incident.refresh_from_db()
    assert incident.assessed_at is None and incident.status == "open"
    services.incident_assess(actor=actor, incident_id=incident.pk, data=ASSESSMENT)
    incident.refresh_from_db()
    assert incident.status == "assessed" and incident.assessed_by == actor and incident.gdpr_risk == "high"


def test_drafts_are_generated_from_the_incident_with_the_required_contents():
    actor = officer()
    incident = open_incident(actor=actor)
    services.incident_assess(actor=actor, incident_id=incident.pk, data=ASSESSMENT)
    authority = services.incident_draft_generate(actor=actor, incident_id=incident.pk, kind="authority")
    for required in ("Art. 33(3)(a)", "(b)", "(c)", "(d)", incident.number, "Clinical records"):
        assert required in authority.body
    individuals = services.incident_draft_generate(actor=actor, incident_id=incident.pk, kind="individuals")
    for required in ("What happened", "What information was involved", "What we are doing", "What you can do"):
        assert required in individuals.body
    hhs = services.incident_draft_generate(actor=actor, incident_id=incident.pk, kind="hhs")
    assert "annual log" in hhs.body


def test_recording_the_authority_notice_meets_the_deadline_and_moves_to_notified():
    actor = officer()
    incident = open_incident(actor=actor)
    services.incident_draft_generate(actor=actor, incident_id=incident.pk, kind="authority")
    sent_at = timezone.now() - datetime.timedelta(minutes=1)
    services.incident_draft_mark_sent(actor=actor, incident_id=incident.pk, kind="authority", sent_at=sent_at)
    incident.refresh_from_db()
    assert incident.authority_notified_at == sent_at and incident.status == "notified"
    assert incident.next_deadline().key == "individuals"


def test_a_deadline_already_met_cannot_be_met_again_and_the_sent_notice_is_frozen():
    actor = officer()
    incident = open_incident(actor=actor)
    services.incident_draft_generate(actor=actor, incident_id=incident.pk, kind="authority")
    first = timezone.now() - datetime.timedelta(minutes=5)
    services.incident_draft_mark_sent(actor=actor, incident_id=incident.pk, kind="authority", sent_at=first)
    with pytest.raises(ValidationError, match="already met"):
        services.incident_draft_mark_sent(
            actor=actor, incident_id=incident.pk, kind="authority", sent_at=timezone.now()
        )
    with pytest.raises(ValidationError):
        services.incident_draft_update(actor=actor, incident_id=incident.pk, kind="authority", body="Changed")
    with pytest.raises(ValidationError):
        services.incident_draft_generate(actor=actor, incident_id=incident.pk, kind="authority")
    incident.refresh_from_db()
    assert incident.authority_notified_at == first


def test_a_notice_sent_in_the_future_is_refused():
    actor = officer()
    incident = open_incident(actor=actor)
    services.incident_draft_generate(actor=actor, incident_id=incident.pk, kind="authority")
    with pytest.raises(ValidationError):
        services.incident_draft_mark_sent(
            actor=actor, incident_id=incident.pk, kind="authority", sent_at=timezone.now() + datetime.timedelta(days=1)
        )
    assert NotificationDraft.objects.get().sent_at is None


def test_no_draft_for_a_closed_incident():
    actor = officer()
    incident = open_incident(actor=actor)
    services.incident_update(actor=actor, incident_id=incident.pk, data={"status": "closed"})
    with pytest.raises(ValidationError, match="closed"):
        services.incident_draft_generate(actor=actor, incident_id=incident.pk, kind="authority")
    with pytest.raises(ValidationError, match="closed"):
        services.incident_patients_add(actor=actor, incident_id=incident.pk, patient_ids=[register_patient().pk])
    assert not NotificationDraft.objects.exists() and not IncidentPatient.objects.exists()
    incident.refresh_from_db()
    assert incident.closed_at is not None


def test_a_missing_incident_is_a_validation_error_not_a_crash():
    with pytest.raises(ValidationError):
        services.incident_update(actor=officer(), incident_id=424242, data={"title": "x"})


def test_fields_outside_the_form_cannot_be_set():
    actor = officer()
    incident = open_incident(actor=actor)
    with pytest.raises(ValidationError):
        services.incident_update(actor=actor, incident_id=incident.pk, data={"authority_notified_at": timezone.now()})
    incident.refresh_from_db()
    assert incident.authority_notified_at is None


def test_the_description_and_actions_are_ciphertext_and_absent_from_the_audit_log():
    actor = officer()
    incident = open_incident(actor=actor, description="Canarydescribed Quintessa Vollmer")
    services.incident_update(
        actor=actor, incident_id=incident.pk, data={"containment_actions": "Canarycontained Quintessa"}
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT description, containment_actions FROM compliance_incident")
        row = cursor.fetchone()
    assert "Canary" not in row[0] and "Canary" not in row[1]
    for event in AuditEvent.objects.all():
        assert "Canary" not in str(event.details)
    assert "Canary" not in str(incident) and "Canary" not in repr(incident)
