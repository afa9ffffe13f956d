import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from accounts.roles import Role
from audit.models import AuditEvent
from compliance.models import LegalHold
from compliance.selectors import legal_hold_active
from compliance.services import holds as services

pytestmark = pytest.mark.django_db

REASON = "Litigation hold: case 2026-114, court order."


def test_a_hold_is_placed_and_lifted_and_the_row_is_kept(subject, officer, other_officer):
    patient, _ = subject
    hold = services.legal_hold_place(actor=officer, patient_id=patient.pk, reason=REASON)
    assert legal_hold_active(patient.pk)

    services.legal_hold_lift(actor=other_officer, hold_id=hold.pk, reason="The case was settled in court.")

    assert not legal_hold_active(patient.pk)
    hold = LegalHold.objects.get(pk=hold.pk)
    assert (hold.placed_by, hold.lifted_by, hold.reason) == (officer, other_officer, REASON)
    assert hold.lifted_at is not None
    assert list(
        AuditEvent.objects.filter(record_type="legal_hold", patient_id=patient.pk).values_list("action", flat=True)
    ) == ["legal_hold.place", "legal_hold.lift"]


def test_a_hold_is_on_one_patient_only(subject, other_subject, officer):
    services.legal_hold_place(actor=officer, patient_id=subject[0].pk, reason=REASON)
    assert not legal_hold_active(other_subject[0].pk)


def test_a_second_hold_and_a_second_lift_are_refused(subject, officer):
    patient, _ = subject
    hold = services.legal_hold_place(actor=officer, patient_id=patient.pk, reason=REASON)
    with pytest.raises(ValidationError):
        services.legal_hold_place(actor=officer, patient_id=patient.pk, reason=REASON)
    services.legal_hold_lift(actor=officer, hold_id=hold.pk, reason="The case was settled in court.")
    with pytest.raises(ValidationError):
        services.legal_hold_lift(actor=officer, hold_id=hold.pk, reason="The case was settled in court.")
    assert LegalHold.objects.count() == 1


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.DOCTOR, Role.ADMIN, Role.PATIENT])
def test_only_compliance_officers_place_and_lift_holds(subject, officer, make_user, role):
    patient, _ = subject
    other = make_user(role)
    with pytest.raises(PermissionDenied):
        services.legal_hold_place(actor=other, patient_id=patient.pk, reason=REASON)
    hold = services.legal_hold_place(actor=officer, patient_id=patient.pk, reason=REASON)
    with pytest.raises(PermissionDenied):
        services.legal_hold_lift(actor=other, hold_id=hold.pk, reason="The case was settled in court.")
    assert legal_hold_active(patient.pk)


def test_a_hold_needs_a_reason_and_a_real_patient(subject, officer):
    patient, _ = subject
    with pytest.raises(ValidationError):
        services.legal_hold_place(actor=officer, patient_id=patient.pk, reason="because")
    with pytest.raises(Http404):
        services.legal_hold_place(actor=officer, patient_id=10**9, reason=REASON)
    with pytest.raises(Http404):
        services.legal_hold_lift(actor=officer, hold_id=10**9, reason=REASON)
    assert LegalHold.objects.count() == 0


def test_the_reason_is_encrypted(subject, officer):
    services.legal_hold_place(actor=officer, patient_id=subject[0].pk, reason=REASON)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM compliance_legalhold")
        assert "2026-114" not in cursor.fetchone()[0]
