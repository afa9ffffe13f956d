"""The access policy, through the selectors and services that apply it: what must work and the
attempt that must fail, side by side."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from freezegun import freeze_time

from audit.models import AuditEvent
from records import policies, selectors, services
from records.models import ClinicalNote, Patient
from records.tests.factories import register_patient

pytestmark = pytest.mark.django_db

REASON = "Patient arrived unconscious in the emergency department and needs treatment now."


def note(actor, patient, kind="physician", body="Stable."):
    return services.record_create(
        actor=actor, patient_id=patient.pk, record_type_name="notes", data={"kind": kind, "body": body}
    )


def test_care_team_doctor_reads_the_chart_and_every_read_is_audited(doctor, patient):
    chart = selectors.patient_chart(user=doctor, patient_id=patient.pk)
    assert chart.purpose == "care_team"
    assert "notes" in chart.sections and "medications" in chart.sections
    event = AuditEvent.objects.filter(action="chart.read").latest("id")
    assert (event.actor_id, event.patient_id, event.purpose) == (doctor.pk, patient.pk, "care_team")


@pytest.mark.parametrize("who", ["other_doctor", "admin_user", "compliance"])
def test_outside_the_care_team_every_read_and_write_is_404_like_a_missing_patient(request, who, patient, doctor):
    user = request.getfixturevalue(who)
    existing = note(doctor, patient)
    missing_id = Patient.objects.order_by("-id").first().pk + 100
    for patient_id in (patient.pk, missing_id):
        with pytest.raises(Http404) as raised:
            selectors.patient_chart(user=user, patient_id=patient_id)
        assert str(raised.value) == selectors.NOT_FOUND_MESSAGE
        with pytest.raises(Http404):
            selectors.patient_get(user=user, patient_id=patient_id)
        with pytest.raises(Http404):
            selectors.record_list(user=user, patient_id=patient_id, record_type_name="notes")
        with pytest.raises(Http404):
            selectors.record_get(user=user, patient_id=patient_id, record_type_name="notes", record_id=existing.pk)
        with pytest.raises(Http404):
            services.record_create(
                actor=user, patient_id=patient_id, record_type_name="allergies", data={"substance": "x"}
            )
        with pytest.raises(Http404):
            services.patient_update(actor=user, patient_id=patient_id, data={"phone": "1"})
    assert selectors.patient_search(user=user, terms={})[0] == []
    denied = AuditEvent.objects.filter(actor_id=user.pk, outcome="denied", patient_id=patient.pk)
    assert denied.count() == 6  # the missing id's denials name no patient (details.requested_patient_id)


def test_an_ended_membership_no_longer_gives_access(receptionist, doctor, patient):
    membership = patient.care_team.get(member=doctor)
    services.care_team_end(actor=receptionist, patient_id=patient.pk, membership_id=membership.pk)
    with pytest.raises(Http404):
        selectors.patient_chart(user=doctor, patient_id=patient.pk)
    actions = set(AuditEvent.objects.filter(patient_id=patient.pk).values_list("action", flat=True))
    assert {"care_team.add", "care_team.end"} <= actions


def test_receptionist_sees_demographics_and_appointments_but_no_clinical_data(receptionist, doctor, patient):
    note(doctor, patient)
    assert selectors.patient_get(user=receptionist, patient_id=patient.pk)[1] == "administration"
    chart = selectors.patient_chart(user=receptionist, patient_id=patient.pk)
    assert set(chart.sections) == {"appointments"}
    with pytest.raises(PermissionDenied):
        selectors.record_list(user=receptionist, patient_id=patient.pk, record_type_name="notes")
    with pytest.raises(PermissionDenied):
        services.record_create(
            actor=receptionist, patient_id=patient.pk, record_type_name="allergies", data={"substance": "x"}
        )


def test_search_is_scoped_and_names_the_patients_returned(doctor, receptionist, patient):
    register_patient(actor=receptionist, family_name=patient.family_name)
    found, total = selectors.patient_search(user=doctor, terms={"family_name": patient.family_name})
    assert [p.pk for p in found] == [patient.pk] and total == 1
    event = AuditEvent.objects.filter(action="patient.search").latest("id")
    assert event.details == {"patient_ids": [patient.pk], "terms": ["family_name"]}
    assert len(selectors.patient_search(user=receptionist, terms={"family_name": patient.family_name})[0]) == 2


def test_a_patient_reads_their_own_signed_notes_and_nobody_elses(patient_user, doctor, patient, receptionist):
    draft = note(doctor, patient, body="Draft")
    signed = services.note_sign(actor=doctor, patient_id=patient.pk, note_id=note(doctor, patient).pk)
    _, notes = selectors.record_list(user=patient_user, patient_id=patient.pk, record_type_name="notes")
    assert [n.pk for n in notes] == [signed.pk]
    with pytest.raises(Http404):
        selectors.record_get(user=patient_user, patient_id=patient.pk, record_type_name="notes", record_id=draft.pk)
    other = register_patient(actor=receptionist)
    with pytest.raises(Http404):
        selectors.patient_chart(user=patient_user, patient_id=other.pk)
    with pytest.raises(PermissionDenied):
        services.record_create(
            actor=patient_user, patient_id=patient.pk, record_type_name="allergies", data={"substance": "x"}
        )


def test_a_patient_changes_only_their_contact_details(patient_user, patient):
    services.patient_update_contact(actor=patient_user, data={"phone": "+1 555 999 0000"})
    assert Patient.objects.get(pk=patient.pk).phone == "+1 555 999 0000"
    with pytest.raises(ValidationError):
        services.patient_update_contact(actor=patient_user, data={"family_name": "Changed", "status": "deceased"})
    assert Patient.objects.get(pk=patient.pk).status == "active"


def test_signed_notes_are_immutable_and_amendments_keep_the_original(doctor, patient):
    original = note(doctor, patient, body="Original text")
    services.record_update(
        actor=doctor, patient_id=patient.pk, record_type_name="notes", record_id=original.pk, data={"body": "Edited"}
    )
    services.note_sign(actor=doctor, patient_id=patient.pk, note_id=original.pk)
    with pytest.raises(ValidationError):
        services.record_update(
            actor=doctor, patient_id=patient.pk, record_type_name="notes", record_id=original.pk, data={"body": "X"}
        )
    with pytest.raises(ValidationError):
        services.note_sign(actor=doctor, patient_id=patient.pk, note_id=original.pk)
    amendment = services.note_amend(actor=doctor, patient_id=patient.pk, note_id=original.pk, body="Correction")
    original.refresh_from_db()
    assert (original.body, original.status) == ("Edited", "signed")
    assert amendment.amends_id == original.pk and amendment.status == "draft"


def test_nurses_write_nursing_notes_observations_and_allergies_but_do_not_sign_or_prescribe(nurse, doctor, patient):
    with pytest.raises(ValidationError):
        note(nurse, patient, kind="physician")
    own = note(nurse, patient, kind="nursing")
    physician_note = note(doctor, patient)
    with pytest.raises(PermissionDenied):
        services.note_sign(actor=nurse, patient_id=patient.pk, note_id=physician_note.pk)
    assert services.note_sign(actor=nurse, patient_id=patient.pk, note_id=own.pk).status == "signed"
    with pytest.raises(PermissionDenied):
        services.record_create(
            actor=nurse,
            patient_id=patient.pk,
            record_type_name="medications",
            data={"drug": "x", "dose": "1", "route": "oral", "frequency": "daily", "start_date": datetime.date.today()},
        )
    with pytest.raises(PermissionDenied):
        services.record_create(
            actor=nurse,
            patient_id=patient.pk,
            record_type_name="conditions",
            data={"icd10_code": "J45.909", "description": "Asthma"},
        )
    allergy = services.record_create(
        actor=nurse,
        patient_id=patient.pk,
        record_type_name="allergies",
        data={"substance": "Penicillin", "severity": "severe"},
    )
    assert allergy.recorded_by == nurse


def test_observations_are_flagged_abnormal_outside_their_reference_range(nurse, patient):
    def observe(value):
        return services.record_create(
            actor=nurse,
            patient_id=patient.pk,
            record_type_name="observations",
            data={
                "code": "8867-4",
                "name": "Heart rate",
                "value": value,
                "unit": "/min",
                "reference_low": 60,
                "reference_high": 100,
                "observed_at": timezone.now(),
            },
        )

    assert observe("72").abnormal is False
    assert observe("131").abnormal is True
    assert observe("40").abnormal is True


def test_icd10_codes_are_validated(doctor, patient):
    with pytest.raises(ValidationError) as raised:
        services.record_create(
            actor=doctor,
            patient_id=patient.pk,
            record_type_name="conditions",
            data={"icd10_code": "NOT-A-CODE", "description": "x"},
        )
    assert "icd10_code" in raised.value.message_dict
    assert services.record_create(
        actor=doctor,
        patient_id=patient.pk,
        record_type_name="conditions",
        data={"icd10_code": "E11.9", "description": "T2"},
    ).pk


def test_break_the_glass_needs_a_sentence_of_reason(other_doctor, patient):
    for reason in ("", "emergency", "need it now"):
        with pytest.raises(ValidationError):
            services.break_glass_open(actor=other_doctor, mrn=patient.mrn, reason=reason)
    with pytest.raises(Http404):
        selectors.patient_chart(user=other_doctor, patient_id=patient.pk)


def test_break_the_glass_opens_read_access_for_an_hour_alerts_compliance_and_is_reviewed(
    other_doctor, compliance, patient, doctor, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with freeze_time("2026-01-05 10:00:00"):
        with django_capture_on_commit_callbacks(execute=True):
            access = services.break_glass_open(actor=other_doctor, mrn=patient.mrn, reason=REASON)
        chart = selectors.patient_chart(user=other_doctor, patient_id=patient.pk)
        assert chart.purpose == "break_the_glass" and chart.break_glass == access
        with pytest.raises(PermissionDenied):  # read only
            note(other_doctor, patient)
    event = AuditEvent.objects.get(action="records.break_glass")
    assert event.actor_id == other_doctor.pk and event.details["patient_id"] == patient.pk
    assert REASON not in str(event.details)
    assert [message.to for message in mail.outbox] == [[compliance.email]]
    assert REASON not in mail.outbox[0].body and patient.family_name not in mail.outbox[0].body
    with freeze_time("2026-01-05 10:59:00"):
        selectors.patient_chart(user=other_doctor, patient_id=patient.pk)
    with freeze_time("2026-01-05 11:00:01"), pytest.raises(Http404):
        selectors.patient_chart(user=other_doctor, patient_id=patient.pk)

    with pytest.raises(PermissionDenied):
        services.break_glass_review(actor=doctor, access_id=access.pk, decision="justified")
    assert list(selectors.break_glass_review_list(user=compliance, status="pending")) == [access]
    services.break_glass_review(actor=compliance, access_id=access.pk, decision="unjustified", note="No emergency.")
    access.refresh_from_db()
    assert (access.review_status, access.reviewed_by) == ("unjustified", compliance)
    assert AuditEvent.objects.filter(action="records.break_glass_review", target_user_id=other_doctor.pk).exists()


def test_only_clinicians_break_the_glass(receptionist, admin_user, compliance, patient_user, patient):
    for user in (receptionist, admin_user, compliance, patient_user):
        with pytest.raises(PermissionDenied):
            services.break_glass_open(actor=user, mrn=patient.mrn, reason=REASON)
    with pytest.raises(PermissionDenied):
        selectors.break_glass_review_list(user=receptionist)


def test_patient_access_history_shows_staff_only(patient_user, doctor, patient):
    selectors.patient_chart(user=doctor, patient_id=patient.pk)
    selectors.patient_chart(user=patient_user, patient_id=patient.pk)
    history = selectors.patient_access_history(user=patient_user)
    assert history and {entry["staff_role"] for entry in history} <= {"doctor", "nurse", "receptionist"}
    assert any(entry["staff_name"] == doctor.full_name for entry in history)
    assert ClinicalNote.objects.count() == 0


def test_the_per_patient_check_and_the_list_queryset_agree(
    receptionist, doctor, nurse, other_doctor, compliance, admin_user, patient_user, patient
):
    other = register_patient(actor=receptionist)
    services.break_glass_open(actor=other_doctor, mrn=other.mrn, reason=REASON)

    for user in (receptionist, doctor, nurse, other_doctor, compliance, admin_user, patient_user):
        listed = set(policies.visible_patients(user).values_list("pk", flat=True))
        for candidate in (patient, other):
            assert (policies.purpose_for(user, candidate) is not None) == (candidate.pk in listed), user.role


def test_a_doctor_ends_only_their_own_care_team_membership(receptionist, doctor, nurse, patient):
    nurses = patient.care_team.get(member=nurse)
    with pytest.raises(PermissionDenied):
        services.care_team_end(actor=doctor, patient_id=patient.pk, membership_id=nurses.pk)
    nurses.refresh_from_db()
    assert nurses.ended_at is None
    assert AuditEvent.objects.filter(actor_id=doctor.pk, action="care_team.end", outcome="denied").count() == 1
    with pytest.raises(PermissionDenied):
        services.care_team_end(actor=nurse, patient_id=patient.pk, membership_id=nurses.pk)
    own = patient.care_team.get(member=doctor)
    assert services.care_team_end(actor=doctor, patient_id=patient.pk, membership_id=own.pk).ended_at is not None
    assert services.care_team_end(actor=receptionist, patient_id=patient.pk, membership_id=nurses.pk).ended_at
