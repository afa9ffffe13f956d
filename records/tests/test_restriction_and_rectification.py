"""The records side of data-subject rights: the processing restriction (flag, banner, the filter
that optional processing builds on), corrections applied on request, and the identity reads of
compliance officers, who still see no clinical record."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from audit.models import AuditEvent
from records import policies, selectors, services
from records.models import Patient
from records.tests.factories import register_patient

pytestmark = pytest.mark.django_db

REASON = "DSR-000001: Restriction of processing"


def test_a_compliance_officer_restricts_and_lifts_and_both_are_audited(compliance, patient):
    services.patient_restriction_set(actor=compliance, patient_id=patient.pk, restricted=True, reason=REASON)
    patient.refresh_from_db()
    assert patient.processing_restricted and patient.processing_restricted_at is not None
    assert patient.processing_restriction_reason == REASON

    services.patient_restriction_set(actor=compliance, patient_id=patient.pk, restricted=False, reason="Lifted.")
    patient.refresh_from_db()
    assert not patient.processing_restricted and patient.processing_restricted_at is None

    events = AuditEvent.objects.filter(patient_id=patient.pk, action__startswith="patient.restrict")
    assert list(events.values_list("action", "details")) == [
        ("patient.restrict", {"restricted": True}),
        ("patient.restriction_lift", {"restricted": False}),
    ]
    assert not [entry for entry in LogEntry.objects.all() if REASON in str(entry.changes)]


@pytest.mark.parametrize("who", ["receptionist", "doctor", "patient_user", "admin_user"])
def test_only_compliance_officers_restrict_processing(request, who, patient):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.patient_restriction_set(actor=actor, patient_id=patient.pk, restricted=True, reason=REASON)
    patient.refresh_from_db()
    assert not patient.processing_restricted


def test_a_restriction_needs_a_reason_and_a_real_patient(compliance, patient):
    with pytest.raises(ValidationError):
        services.patient_restriction_set(actor=compliance, patient_id=patient.pk, restricted=True, reason="  ")
    with pytest.raises(Http404):
        services.patient_restriction_set(actor=compliance, patient_id=10**9, restricted=True, reason=REASON)


def test_restricted_patients_are_left_out_of_optional_processing(compliance, patient, receptionist):
    other = register_patient(actor=receptionist)
    services.patient_restriction_set(actor=compliance, patient_id=patient.pk, restricted=True, reason=REASON)

    assert list(policies.processing_allowed().values_list("pk", flat=True)) == [other.pk]
    narrowed = Patient.objects.filter(pk__in=[patient.pk, other.pk])
    assert list(policies.processing_allowed(narrowed).values_list("pk", flat=True)) == [other.pk]


@pytest.mark.parametrize("who", ["receptionist", "doctor"])
def test_staff_see_the_restriction_banner_on_the_chart(request, verified, compliance, patient, who):
    client = verified(request.getfixturevalue(who))
    url = reverse("records:chart", args=[patient.pk])
    assert "Processing restricted" not in client.get(url).content.decode()

    services.patient_restriction_set(actor=compliance, patient_id=patient.pk, restricted=True, reason=REASON)

    page = client.get(url).content.decode()
    assert "Processing restricted" in page and REASON in page


def test_the_receptionist_sees_the_banner_on_the_demographics_page_too(verified, compliance, receptionist, patient):
    services.patient_restriction_set(actor=compliance, patient_id=patient.pk, restricted=True, reason=REASON)
    page = verified(receptionist).get(reverse("records:edit", args=[patient.pk])).content.decode()
    assert "Processing restricted" in page


def test_the_flag_cannot_be_set_through_the_demographics_form_or_api(verified, jwt_client, receptionist, patient):
    verified(receptionist).post(
        reverse("records:edit", args=[patient.pk]),
        {**{name: getattr(patient, name) for name in services.DEMOGRAPHIC_FIELDS}, "processing_restricted": "on"},
    )
    response = jwt_client(receptionist).patch(
        reverse("records-api:patient-detail", args=[patient.pk]), {"processing_restricted": True}, format="json"
    )
    assert response.status_code == 400
    patient.refresh_from_db()
    assert not patient.processing_restricted


def test_a_correction_changes_only_rectifiable_fields(compliance, patient):
    with pytest.raises(ValidationError):
        services.patient_rectify(actor=compliance, patient_id=patient.pk, data={"national_id": "NID-000000"})
    with pytest.raises(ValidationError):
        services.patient_rectify(actor=compliance, patient_id=patient.pk, data={"status": "deceased"})

    services.patient_rectify(
        actor=compliance, patient_id=patient.pk, data={"date_of_birth": datetime.date(1970, 5, 17)}
    )
    patient.refresh_from_db()
    assert patient.date_of_birth == datetime.date(1970, 5, 17)
    # The blind index follows, so the corrected date of birth finds the patient.
    assert patient.date_of_birth_index in Patient.objects.values_list("date_of_birth_index", flat=True)


@pytest.mark.parametrize("who", ["doctor", "nurse", "patient_user", "admin_user"])
def test_only_compliance_officers_and_receptionists_apply_corrections(request, who, patient):
    with pytest.raises(PermissionDenied):
        services.patient_rectify(
            actor=request.getfixturevalue(who), patient_id=patient.pk, data={"family_name": "Changed"}
        )


def test_compliance_officers_read_identity_but_never_the_chart(compliance, patient, doctor):
    assert selectors.patient_identity_get(user=compliance, patient_id=patient.pk) == patient
    assert selectors.patient_identity_find(user=compliance, mrn=patient.mrn) == patient
    assert selectors.patient_identity_find(user=compliance, mrn="MRN00000000") is None
    assert AuditEvent.objects.filter(action="patient.identity_read", patient_id=patient.pk).count() == 2
    with pytest.raises(Http404):
        selectors.patient_chart(user=compliance, patient_id=patient.pk)
    with pytest.raises(Http404):
        selectors.patient_identity_get(user=doctor, patient_id=patient.pk)
    with pytest.raises(PermissionDenied):
        selectors.patient_identity_find(user=doctor, mrn=patient.mrn)


@pytest.mark.parametrize("forged", [10**9, "abc", 2**70, -1])
def test_a_forged_patient_id_is_a_404_for_the_identity_read(compliance, forged):
    with pytest.raises(Http404):
        selectors.patient_identity_get(user=compliance, patient_id=forged)
