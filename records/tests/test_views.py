"""The records pages and the portal: thin views over the same selectors and services."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from records import selectors, services
from records.models import ClinicalNote, Observation, Patient
from records.tests.factories import add_to_care_team, patient_data
from tests.test_pages import inline_code

pytestmark = pytest.mark.django_db

SCRIPT = '"><script>alert("pwned")</script><img src=x onerror=alert(1)>'
REASON = "Patient brought in unresponsive by ambulance, treating physician is unavailable."


def form_data(**overrides):
    data = patient_data(**overrides)
    data["date_of_birth"] = str(data["date_of_birth"])
    data["status"] = "active"
    return data


def test_staff_without_a_second_factor_are_sent_to_the_second_factor(client, doctor, patient):
    """Signed in with the password only: every records page sends the doctor to enrolment (no
    authenticator yet) and shows no patient data."""
    client.force_login(doctor)
    for url in (reverse("records:search"), reverse("records:chart", args=[patient.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:mfa_setup"))
        assert patient.family_name not in response.content.decode()


def test_a_doctors_visit_search_open_chart_add_note_sign(verified, doctor, patient):
    client = verified(doctor)
    results = client.post(reverse("records:search"), {"family_name": patient.family_name.upper()})
    assert results.status_code == 200 and patient.mrn in results.content.decode()
    chart = client.get(reverse("records:chart", args=[patient.pk]))
    html = chart.content.decode()
    assert chart.status_code == 200 and inline_code(html) == []
    for title in ("Encounters", "Notes", "Problems", "Medications", "Allergies", "Observations", "Documents"):
        assert title in html
    added = client.post(
        reverse("records:record-add", args=[patient.pk, "notes"]), {"kind": "physician", "body": "Lungs clear."}
    )
    assert added.status_code == 302
    note = ClinicalNote.objects.get(patient=patient)
    signed = client.post(reverse("records:note-sign", args=[patient.pk, note.pk]))
    assert signed.status_code == 302
    note.refresh_from_db()
    assert note.status == "signed" and note.signed_by == doctor
    assert client.get(reverse("records:note-sign", args=[patient.pk, note.pk])).status_code == 405


def test_script_payloads_are_inert_on_every_records_page(verified, receptionist, doctor, patient):
    response = verified(receptionist).post(reverse("records:edit", args=[patient.pk]), form_data(family_name=SCRIPT))
    assert response.status_code == 302
    client = verified(doctor)
    client.post(reverse("records:record-add", args=[patient.pk, "notes"]), {"kind": "physician", "body": SCRIPT})
    for url in (reverse("records:chart", args=[patient.pk]), reverse("records:search")):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "&lt;script&gt;" in html
        assert inline_code(html) == []


def test_registration_with_bad_input_shows_errors_and_stores_nothing(verified, receptionist):
    client = verified(receptionist)
    response = client.post(reverse("records:register"), form_data(date_of_birth="1980-02-31", email="nope"))
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert 'aria-invalid="true"' in html
    assert Patient.objects.count() == 0
    response = client.post(reverse("records:register"), form_data(family_name="Newperson"))
    assert response.status_code == 302 and Patient.objects.count() == 1


def test_outside_the_care_team_pages_are_404_like_a_missing_patient(verified, other_doctor, patient):
    client = verified(other_doctor)
    missing = patient.pk + 1000
    for name, args in (
        ("records:chart", []),
        ("records:edit", []),
        ("records:care-team-add", []),
        ("records:document-upload", []),
        ("records:record-add", ["notes"]),
    ):
        for patient_id in (patient.pk, missing):
            assert client.get(reverse(name, args=[patient_id, *args])).status_code == 404
            assert client.post(reverse(name, args=[patient_id, *args]), {"body": "x"}).status_code == 404


def test_break_the_glass_page_opens_the_chart_with_a_banner(verified, other_doctor, patient):
    client = verified(other_doctor)
    refused = client.post(reverse("records:break-glass"), {"mrn": patient.mrn, "reason": "urgent"})
    assert refused.status_code == 200 and "full sentence" in refused.content.decode()
    opened = client.post(reverse("records:break-glass"), {"mrn": patient.mrn, "reason": REASON})
    assert opened.status_code == 302 and opened["Location"] == reverse("records:chart", args=[patient.pk])
    chart = client.get(opened["Location"]).content.decode()
    assert "Emergency access (break-the-glass)" in chart and "read-only" in chart


def test_receptionist_registers_and_books_an_appointment(verified, receptionist, doctor):
    client = verified(receptionist)
    client.post(reverse("records:register"), form_data(family_name="Bookable"))
    patient = Patient.objects.get()
    booked = client.post(
        reverse("records:record-add", args=[patient.pk, "appointments"]),
        {"clinician": doctor.pk, "starts_at": "2030-01-02T09:00", "ends_at": "2030-01-02T09:20", "status": "booked"},
    )
    assert booked.status_code == 302
    assert patient.appointments.count() == 1
    chart = client.get(reverse("records:chart", args=[patient.pk])).content.decode()
    assert "Appointments" in chart and "Notes" not in chart


def test_a_patient_reads_their_record_and_who_opened_it(verified, patient_user, doctor, patient):
    verified(doctor).get(reverse("records:chart", args=[patient.pk]))
    client = verified(patient_user)
    home = client.get(reverse("portal:home"))
    assert home.status_code == 200 and patient.mrn in home.content.decode()
    log = client.get(reverse("portal:access-log")).content.decode()
    assert doctor.full_name in log and "Doctor" in log


def test_a_patient_cannot_set_fields_beyond_their_contact_details(verified, patient_user, patient):
    client = verified(patient_user)
    response = client.post(
        reverse("portal:contact"),
        {"email": "new@example.test", "phone": "+1 555 000 1111", "preferred_language": "fr", "family_name": "Hacked"},
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.phone == "+1 555 000 1111" and patient.family_name != "Hacked"


def test_document_upload_and_download_through_pages(verified, nurse, patient_user, patient):
    client = verified(nurse)
    refused = client.post(
        reverse("records:document-upload", args=[patient.pk]),
        {"title": "Bad", "kind": "other", "file": SimpleUploadedFile("x.pdf", b"not a pdf")},
    )
    assert refused.status_code == 200 and "Only PDF, PNG and JPEG" in refused.content.decode()
    client.post(
        reverse("records:document-upload", args=[patient.pk]),
        {"title": "Scan", "kind": "imaging", "file": SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n1234")},
    )
    document = patient.documents.get()
    response = verified(patient_user).get(reverse("portal:document-download", args=[document.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="document.download", purpose="self").exists()


def test_script_payloads_are_inert_in_the_portal_and_the_review_list(
    verified, doctor, nurse, other_doctor, compliance, patient_user, patient
):
    note = services.record_create(
        actor=doctor, patient_id=patient.pk, record_type_name="notes", data={"kind": "physician", "body": SCRIPT}
    )
    services.note_sign(actor=doctor, patient_id=patient.pk, note_id=note.pk)
    services.record_create(
        actor=nurse, patient_id=patient.pk, record_type_name="allergies", data={"substance": SCRIPT, "severity": "mild"}
    )
    services.break_glass_open(actor=other_doctor, mrn=patient.mrn, reason=REASON + SCRIPT)
    doctor.full_name = "Dr " + SCRIPT  # staff names reach the patient's access log
    doctor.save(update_fields=["full_name"])
    selectors.patient_chart(user=doctor, patient_id=patient.pk)
    pages = [
        (verified(patient_user), reverse("portal:home")),
        (verified(patient_user), reverse("portal:access-log")),
        (verified(compliance), reverse("records:break-glass-reviews")),
    ]
    for client, url in pages:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "&lt;script&gt;" in html, url
        assert inline_code(html) == [], url


def test_todays_appointments_all_for_reception_own_for_clinicians(
    verified, receptionist, doctor, other_doctor, patient
):
    add_to_care_team(patient, other_doctor, actor=receptionist)
    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    for clinician, reason in ((doctor, "Morning review"), (other_doctor, "Afternoon check")):
        services.record_create(
            actor=receptionist,
            patient_id=patient.pk,
            record_type_name="appointments",
            data={
                "clinician": clinician,
                "starts_at": now,
                "ends_at": now + timezone.timedelta(minutes=15),
                "reason": reason,
            },
        )
    reception_page = verified(receptionist).get(reverse("records:appointments-today")).content.decode()
    assert "Morning review" in reception_page and "Afternoon check" in reception_page
    doctor_page = verified(doctor).get(reverse("records:appointments-today")).content.decode()
    assert "Morning review" in doctor_page and "Afternoon check" not in doctor_page
    event = AuditEvent.objects.filter(action="appointment.list_today", actor_id=doctor.pk).get()
    assert event.details == {"patient_ids": [patient.pk]}


@pytest.mark.parametrize("page", ["9223372036854775808", "-1", "abc"])
def test_a_page_number_on_the_search_page_is_never_a_server_error(verified, receptionist, patient, page):
    """The search page shows the first 50 patients and has no page parameter: any ?page= is ignored."""
    response = verified(receptionist).get(reverse("records:search"), {"page": page})
    assert response.status_code == 200 and patient.mrn in response.content.decode()


@pytest.mark.parametrize("value", ["NaN", "sNaN", "-NaN", "Infinity", "-Infinity", "1e999"])
def test_a_non_finite_observation_value_is_shown_next_to_its_field(verified, nurse, patient, value):
    response = verified(nurse).post(
        reverse("records:record-add", args=[patient.pk, "observations"]),
        {
            "code": "8867-4",
            "name": "Heart rate",
            "value": value,
            "reference_low": "60",
            "reference_high": "100",
            "observed_at": "2026-01-01T10:00",
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["value"]
    assert "finite" in response.context["form"].errors["value"][0]
    assert not Observation.objects.filter(patient=patient).exists()
