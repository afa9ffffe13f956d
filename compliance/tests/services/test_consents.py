"""Giving and withdrawing consent: every change kept and audited, a new version asks again, and
the attacks (someone else's patient, a stale version, a purpose that does not exist) refused."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.roles import Role
from audit.models import AuditEvent
from compliance.models import ConsentDecision, ConsentPurpose
from compliance.selectors import consenting_patient_ids, portal_consent_overview
from compliance.services.consents import (
    consent_decide,
    consent_purpose_create,
    consent_record_paper,
    consent_version_publish,
)

pytestmark = pytest.mark.django_db

REMINDERS = ConsentPurpose.EMAIL_REMINDERS
GIVEN, WITHDRAWN = ConsentDecision.Decision.GIVEN, ConsentDecision.Decision.WITHDRAWN


def _state(user, key=REMINDERS):
    return next(state for state in portal_consent_overview(user=user).states if state.purpose.key == key)


def _consenting(key=REMINDERS):
    return set(consenting_patient_ids(purpose_key=key).values_list("pk", flat=True))


def test_the_clinics_purposes_exist_and_a_patient_who_never_answered_needs_to(patient):
    keys = {state.purpose.key for state in portal_consent_overview(user=patient.user).states}
    assert {ConsentPurpose.PRIVACY_NOTICE, REMINDERS, ConsentPurpose.RESEARCH} <= keys
    state = _state(patient.user)
    assert state.needs_answer and not state.consented and state.state == "needs_answer"
    assert patient.pk not in _consenting()


def test_giving_then_withdrawing_keeps_both_decisions_and_audits_each(patient, reminders_purpose):
    consent_decide(actor=patient.user, purpose_key=REMINDERS, decision=GIVEN, version=1)
    assert _state(patient.user).consented and patient.pk in _consenting()

    consent_decide(actor=patient.user, purpose_key=REMINDERS, decision=WITHDRAWN, version=1)

    state = _state(patient.user)
    assert not state.consented and state.state == "withdrawn" and not state.needs_answer
    assert patient.pk not in _consenting()
    decisions = list(ConsentDecision.objects.filter(patient=patient).values_list("decision", "channel", "recorded_by"))
    assert decisions == [(GIVEN, "portal", patient.user.pk), (WITHDRAWN, "portal", patient.user.pk)]
    events = AuditEvent.objects.filter(record_type="consent", action__in=["consent.given", "consent.withdrawn"])
    assert [(e.action, e.patient_id, e.actor_id, e.purpose) for e in events] == [
        ("consent.given", patient.pk, patient.user.pk, "self"),
        ("consent.withdrawn", patient.pk, patient.user.pk, "self"),
    ]
    assert events[0].details == {"purpose": REMINDERS, "version": 1, "channel": "portal"}


def test_a_new_version_asks_again_and_the_old_consent_no_longer_counts(patient, other_patient, compliance_officer):
    consent_decide(actor=patient.user, purpose_key=REMINDERS, decision=GIVEN, version=1)
    purpose = ConsentPurpose.objects.get(key=REMINDERS)

    new = consent_version_publish(actor=compliance_officer, purpose=purpose, text="New wording of the reminders.")

    assert new.version == 2
    state = _state(patient.user)
    assert state.needs_answer and not state.consented
    assert patient.pk not in _consenting()
    assert AuditEvent.objects.filter(action="consent.version_publish", actor_id=compliance_officer.pk).exists()
    # Answering the new version counts again.
    consent_decide(actor=patient.user, purpose_key=REMINDERS, decision=GIVEN, version=2)
    assert _state(patient.user).consented and _consenting() == {patient.pk}


def test_a_stale_version_is_refused_and_nothing_is_stored(patient, compliance_officer):
    purpose = ConsentPurpose.objects.get(key=REMINDERS)
    consent_version_publish(actor=compliance_officer, purpose=purpose, text="Version two.")

    with pytest.raises(ValidationError) as error:
        consent_decide(actor=patient.user, purpose_key=REMINDERS, decision=GIVEN, version=1)

    assert "version 2 is current" in error.value.message_dict["version"][0]
    assert not ConsentDecision.objects.exists()


def test_withdrawing_a_consent_never_given_is_refused(patient):
    with pytest.raises(ValidationError) as error:
        consent_decide(actor=patient.user, purpose_key=REMINDERS, decision=WITHDRAWN, version=1)
    assert "not given" in error.value.message_dict["decision"][0]
    assert not ConsentDecision.objects.exists()


def test_giving_twice_is_refused(patient):
    consent_decide(actor=patient.user, purpose_key=REMINDERS, decision=GIVEN, version=1)
    with pytest.raises(ValidationError):
        consent_decide(actor=patient.user, purpose_key=REMINDERS, decision=GIVEN, version=1)
    assert ConsentDecision.objects.count() == 1


@pytest.mark.parametrize("key", ["no-such-purpose", "", "email_reminders\x00"])
def test_a_purpose_that_does_not_exist_is_a_404(patient, key):
    with pytest.raises(Http404):
        consent_decide(actor=patient.user, purpose_key=key, decision=GIVEN, version=1)


def test_a_retired_purpose_cannot_be_answered(patient, compliance_officer):
    purpose = ConsentPurpose.objects.get(key=ConsentPurpose.RESEARCH)
    purpose.is_active = False
    purpose.save(update_fields=["is_active"])
    with pytest.raises(Http404):
        consent_decide(actor=patient.user, purpose_key=ConsentPurpose.RESEARCH, decision=GIVEN, version=1)


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.DOCTOR, Role.NURSE, Role.COMPLIANCE, Role.ADMIN, None])
def test_staff_cannot_answer_as_a_patient(make_user, role):
    with pytest.raises(PermissionDenied):
        consent_decide(actor=make_user(role), purpose_key=REMINDERS, decision=GIVEN, version=1)


def test_a_patient_cannot_use_the_paper_channel(patient, other_patient):
    with pytest.raises(PermissionDenied):
        consent_record_paper(
            actor=patient.user, patient_id=other_patient.pk, purpose_key=REMINDERS, decision=GIVEN, version=1
        )
    with pytest.raises(ValidationError):
        consent_decide(actor=patient.user, purpose_key=REMINDERS, decision=GIVEN, version=1, channel="paper")
    assert not ConsentDecision.objects.exists()


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.COMPLIANCE])
def test_reception_and_compliance_record_a_paper_consent_for_any_patient(make_user, patient, role):
    staff = make_user(role)

    decision = consent_record_paper(
        actor=staff, patient_id=patient.pk, purpose_key=REMINDERS, decision=GIVEN, version=1
    )

    assert (decision.channel, decision.recorded_by, decision.patient) == ("paper", staff, patient)
    assert _state(patient.user).consented
    event = AuditEvent.objects.get(action="consent.given")
    assert (event.actor_id, event.patient_id, event.purpose) == (staff.pk, patient.pk, "administration")


def test_a_doctor_records_paper_consent_for_a_care_team_patient_only(doctor, patient, other_patient):
    consent_record_paper(actor=doctor, patient_id=patient.pk, purpose_key=REMINDERS, decision=GIVEN, version=1)
    assert AuditEvent.objects.get(action="consent.given").purpose == "care_team"

    with pytest.raises(Http404):
        consent_record_paper(
            actor=doctor, patient_id=other_patient.pk, purpose_key=REMINDERS, decision=GIVEN, version=1
        )
    assert not ConsentDecision.objects.filter(patient=other_patient).exists()
    denied = AuditEvent.objects.get(action="consent.record", outcome="denied")
    assert denied.details == {"requested_patient_id": other_patient.pk}


@pytest.mark.parametrize("patient_id", [0, -1, 2**63, "abc", 999_999])
def test_a_forged_patient_id_is_a_404(receptionist, patient_id):
    with pytest.raises(Http404):
        consent_record_paper(
            actor=receptionist, patient_id=patient_id, purpose_key=REMINDERS, decision=GIVEN, version=1
        )


def test_an_admin_cannot_record_consent(make_user, patient):
    with pytest.raises(PermissionDenied):
        consent_record_paper(
            actor=make_user(Role.ADMIN), patient_id=patient.pk, purpose_key=REMINDERS, decision=GIVEN, version=1
        )


def test_a_purpose_created_by_the_clinic_is_asked(patient, compliance_officer):
    consent_purpose_create(
        actor=compliance_officer, key="newsletter", name="Clinic newsletter", text="Send me the newsletter."
    )
    state = _state(patient.user, key="newsletter")
    assert state.needs_answer and state.current_version.version == 1


def test_reading_consents_is_an_access_event(patient):
    portal_consent_overview(user=patient.user)
    event = AuditEvent.objects.get(action="consent.list")
    assert (event.patient_id, event.actor_id, event.purpose) == (patient.pk, patient.user.pk, "self")
