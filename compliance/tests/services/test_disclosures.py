"""The accounting of disclosures: who records, the six-year window, the 60-day deadline and its
one extension, and the attacks that must fail."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

from accounts.roles import Role
from audit.models import AuditEvent
from audit.services import SYSTEM_ACTOR
from compliance.models import AccountingRequest, Disclosure
from compliance.selectors import disclosures as selectors
from compliance.services import disclosures as services
from compliance.tests.factories import officer
from records.tests.factories import add_to_care_team, register_patient

pytestmark = pytest.mark.django_db


def record(actor, patient, **overrides):
    data = {
        "patient_id": patient.pk,
        "recipient": "County Public Health Department",
        "recipient_address": "1 Civic Plaza",
        "description": "Positive tuberculosis test result",
        "purpose": "Public health reporting required by state law",
        "disclosed_at": timezone.now() - datetime.timedelta(days=1),
    }
    data.update(overrides)
    return services.disclosure_record(actor=actor, **data)


def test_a_compliance_officer_records_a_disclosure_as_an_access_event():
    actor, patient = officer(), register_patient()
    disclosure = record(actor, patient)
    event = AuditEvent.objects.get(action="disclosure.record")
    assert event.patient_id == patient.pk and event.actor_id == actor.pk
    assert event.record_id == str(disclosure.pk)


def test_the_recipient_and_description_are_ciphertext_in_the_database():
    record(officer(), register_patient(), recipient="Canaryrecipientqx", description="Canarydescriptionqx")
    with connection.cursor() as cursor:
        cursor.execute("SELECT recipient, description FROM compliance_disclosure")
        row = cursor.fetchone()
    assert "Canary" not in row[0] and "Canary" not in row[1]


def test_a_clinician_records_for_a_care_team_patient_not_for_another(make_user):
    doctor = make_user(Role.DOCTOR)
    mine, other = register_patient(), register_patient()
    add_to_care_team(mine, doctor)
    record(doctor, mine)
    with pytest.raises(ValidationError) as caught:
        record(doctor, other)
    assert "patient_id" in caught.value.message_dict
    assert Disclosure.objects.count() == 1
    assert AuditEvent.objects.filter(action="disclosure.record", outcome="denied").exists()


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.ADMIN, Role.PATIENT])
def test_other_roles_record_no_disclosure(make_user, role):
    with pytest.raises(PermissionDenied):
        record(make_user(role), register_patient())
    assert not Disclosure.objects.exists()


def test_a_disclosure_dated_in_the_future_is_refused():
    with pytest.raises(ValidationError) as caught:
        record(officer(), register_patient(), disclosed_at=timezone.now() + datetime.timedelta(days=2))
    assert "disclosed_at" in caught.value.message_dict
    assert not Disclosure.objects.exists()


def test_a_missing_patient_is_refused():
    with pytest.raises(ValidationError):
        record(officer(), register_patient(), patient_id=987654)


def test_the_system_records_an_automatic_entry():
    patient = register_patient()
    disclosure = record(SYSTEM_ACTOR, patient, recipient="Insurer Ltd (export released)")
    assert disclosure.recorded_by is None
    assert AuditEvent.objects.get(action="disclosure.record").actor_role == SYSTEM_ACTOR


def test_a_patient_sees_their_own_disclosures_of_six_years_only(make_user):
    user = make_user(Role.PATIENT)
    patient = register_patient()
    patient.user = user
    patient.save(update_fields=["user"])
    actor = officer()
    recent = record(actor, patient, disclosed_at=timezone.now() - datetime.timedelta(days=365 * 5))
    record(actor, patient, disclosed_at=timezone.now() - datetime.timedelta(days=365 * 7))
    record(actor, register_patient())  # another patient's
    assert [d.pk for d in selectors.disclosure_list_own(user=user)] == [recent.pk]
    assert AuditEvent.objects.filter(action="disclosure.list", patient_id=patient.pk, purpose="self").exists()


def test_a_patient_cannot_request_another_patients_accounting(make_user):
    user = make_user(Role.PATIENT)
    own = register_patient()
    own.user = user
    own.save(update_fields=["user"])
    other = register_patient()
    with pytest.raises(PermissionDenied):
        services.accounting_request_open(actor=user, patient_id=other.pk)
    assert not AccountingRequest.objects.exists()
    with pytest.raises(PermissionDenied):
        selectors.accounting_request_get(user=user, request_id=1)


def test_a_request_is_due_in_60_days_and_extends_once_by_30():
    actor, patient = officer(), register_patient()
    with freeze_time("2026-06-01 10:00:00"):
        request = services.accounting_request_open(actor=actor, patient_id=patient.pk)
    assert request.due_at == datetime.datetime(2026, 7, 31, 10, 0, tzinfo=datetime.UTC)
    with freeze_time("2026-07-20 10:00:00"):
        with pytest.raises(ValidationError):
            services.accounting_request_extend(actor=actor, request_id=request.pk, reason="short")
        services.accounting_request_extend(
            actor=actor, request_id=request.pk, reason="Records from the archive are still being retrieved."
        )
        with pytest.raises(ValidationError, match="one extension"):
            services.accounting_request_extend(
                actor=actor, request_id=request.pk, reason="Records from the archive are still being retrieved."
            )
    request.refresh_from_db()
    assert request.due_at == datetime.datetime(2026, 8, 30, 10, 0, tzinfo=datetime.UTC)


def test_an_extension_after_the_deadline_is_refused():
    actor, patient = officer(), register_patient()
    with freeze_time("2026-06-01 10:00:00"):
        request = services.accounting_request_open(actor=actor, patient_id=patient.pk)
    with freeze_time("2026-08-01 10:00:00"), pytest.raises(ValidationError, match="passed"):
        services.accounting_request_extend(actor=actor, request_id=request.pk, reason="We were too busy to answer it.")


def test_the_accounting_covers_six_years_before_the_request():
    actor, patient = officer(), register_patient()
    now = timezone.now()
    inside = record(actor, patient, disclosed_at=now - datetime.timedelta(days=365 * 6 - 10))
    record(actor, patient, disclosed_at=now - datetime.timedelta(days=365 * 6 + 10))
    record(actor, register_patient(), disclosed_at=now - datetime.timedelta(days=3))
    request = services.accounting_request_open(actor=actor, patient_id=patient.pk)
    accounting = selectors.accounting_get(user=actor, request_id=request.pk)
    assert [d.pk for d in accounting.disclosures] == [inside.pk]
    services.accounting_mark_produced(actor=actor, request_id=request.pk)
    with pytest.raises(ValidationError):
        services.accounting_mark_produced(actor=actor, request_id=request.pk)
