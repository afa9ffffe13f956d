"""Patient records in a real browser: a doctor's visit, a receptionist's registration and booking,
break-the-glass, and a patient reading their record. No CSP violation anywhere.

Staff pages need a completed second factor: staff sign in through the login page and its code
step, with the current code of their authenticator; the patient just signs in.
"""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.roles import Role
from records import services
from records.tests.factories import add_to_care_team, register_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Patient admitted unconscious after a road accident; the care team cannot be reached."


@pytest.fixture
def staff_session(page, sign_in, password):
    """Sign `user` in through the login page and the code step (their authenticator's code)."""

    def open_for(user):
        TOTPDevice.objects.create(user=user, name="browser test", confirmed=True)
        sign_in(user.email, password)
        assert "/accounts/mfa/" not in page.url, "the code step was completed"

    return open_for


def assert_clean(problems):
    assert problems.csp_violations == []
    assert problems.page_errors == []
    assert problems.foreign_requests == []


def test_a_doctors_visit_search_open_chart_add_a_note_and_sign_it(
    page, page_problems, staff_session, make_user, screenshot_dir
):
    doctor = make_user(Role.DOCTOR, full_name="Dr Dana Whitfield")
    patient = register_patient(family_name="Fictionova", given_name="Robin")
    add_to_care_team(patient, doctor)
    staff_session(doctor)

    page.goto("/patients/")
    page.get_by_label("Family name").fill("fictionova")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Fictionova, Robin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fictionova, Robin")

    page.get_by_role("link", name="Add to notes").click()
    page.get_by_label("Body").fill("Chest clear. Review in two weeks.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Notes: saved.")
    notes = page.locator("#notes")
    expect(notes).to_contain_text("Chest clear. Review in two weeks.")
    notes.get_by_role("button", name=re.compile(r"^Sign note #\d+$")).click()
    expect(page.get_by_role("status")).to_contain_text("Note signed.")
    expect(page.locator("#notes")).to_contain_text("Signed")
    page.screenshot(path=screenshot_dir / "chart-signed-note.png", full_page=True)
    assert_clean(page_problems)


def test_a_receptionist_registers_a_patient_and_books_an_appointment(page, page_problems, staff_session, make_user):
    receptionist = make_user(Role.RECEPTIONIST)
    make_user(Role.DOCTOR, full_name="Dr Casey Mockridge")
    staff_session(receptionist)

    page.goto("/patients/")
    page.get_by_role("link", name="Register a patient").click()
    page.get_by_label("Given name").fill("Alex")
    page.get_by_label("Family name").fill("Sampleton")
    page.get_by_label("Date of birth").fill("1984-03-09")
    page.get_by_label("Sex").select_option("male")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("medical record number MRN")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sampleton, Alex")
    expect(page.locator("#notes")).to_have_count(0)  # no clinical sections for reception

    page.get_by_role("link", name="Add to appointments").click()
    page.get_by_label("Clinician").select_option(label="Dr Casey Mockridge")
    page.get_by_label("Starts at").fill("2030-05-06T09:00")
    page.get_by_label("Ends at").fill("2030-05-06T09:20")
    page.get_by_label("Reason").fill("New patient check")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#appointments")).to_contain_text("New patient check")
    expect(page.locator("#appointments")).to_contain_text("Dr Casey Mockridge")
    assert_clean(page_problems)


def test_break_the_glass_opens_the_record_with_a_banner(page, page_problems, staff_session, make_user):
    make_user(Role.COMPLIANCE)
    outsider = make_user(Role.NURSE)
    patient = register_patient(family_name="Outsideteam")
    staff_session(outsider)

    page.goto(f"/patients/{patient.pk}/")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Outsideteam")

    page.goto("/patients/break-glass/")
    page.get_by_label("Medical record number").fill(patient.mrn)
    page.get_by_label("Reason").fill("urgent")
    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_role("alert").first).to_contain_text("full sentence")
    page.get_by_label("Reason").fill(REASON)
    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Outsideteam")
    expect(page.locator(".records-banner")).to_contain_text("Emergency access (break-the-glass)")
    assert_clean(page_problems)


def test_a_patient_reads_their_record_and_sees_who_opened_it(page, page_problems, sign_in, make_user, password):
    patient_user = make_user(Role.PATIENT, email="pat@example.test")
    doctor = make_user(Role.DOCTOR, full_name="Dr Jordan Testwell")
    patient = register_patient(given_name="Pat", family_name="Demo")
    patient.user = patient_user
    patient.save(update_fields=["user"])
    add_to_care_team(patient, doctor)
    note = services.record_create(
        actor=doctor, patient_id=patient.pk, record_type_name="notes", data={"kind": "physician", "body": "All well."}
    )
    services.note_sign(actor=doctor, patient_id=patient.pk, note_id=note.pk)

    sign_in("pat@example.test", password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My record")
    expect(page.locator("main")).to_contain_text("All well.")
    page.get_by_role("link", name="Who accessed my record").click()
    expect(page.locator("main")).to_contain_text("Dr Jordan Testwell")
    assert_clean(page_problems)
