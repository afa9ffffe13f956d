"""A patient asks for their data in the portal and downloads the archive, in a real browser."""

import json
import zipfile

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from compliance.models import DataExport
from records import services
from records.tests.factories import add_to_care_team, register_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_patient_requests_and_downloads_their_export(
    page, page_problems, sign_in, make_user, password, settings, tmp_path, screenshot_dir
):
    settings.DOCUMENTS_DIR = tmp_path / "documents"
    settings.EXPORTS_DIR = tmp_path / "exports"
    patient_user = make_user(Role.PATIENT, email="robin@example.test")
    doctor = make_user(Role.DOCTOR, full_name="Dr Dana Whitfield")
    patient = register_patient(given_name="Robin", family_name="Exportova")
    patient.user = patient_user
    patient.save(update_fields=["user"])
    add_to_care_team(patient, doctor)
    services.record_create(
        actor=doctor,
        patient_id=patient.pk,
        record_type_name="allergies",
        data={"substance": "Penicillin", "severity": "severe"},
    )
    sign_in(patient_user.email, password)

    page.goto("/portal/")
    page.get_by_role("link", name="Download my data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Download my data")
    page.get_by_role("button", name="Prepare my data for download").click()
    expect(page.get_by_role("status").first).to_contain_text("Your export is ready to download.")
    page.screenshot(path=str(screenshot_dir / "privacy-export.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data (zip").click()
    download = download_info.value
    export = DataExport.objects.get(patient=patient)
    assert download.suggested_filename == f"healthpro-export-{export.pk}.zip"
    saved = tmp_path / "download.zip"
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert {"README.txt", "data.json", "fhir-bundle.json"} <= set(archive.namelist())
        data = json.loads(archive.read("data.json"))
    assert data["records.Patient"][0]["family_name"] == "Exportova"
    assert data["records.Allergy"][0]["substance"] == "Penicillin"

    assert page_problems.csp_violations == []
    assert page_problems.page_errors == []
    assert page_problems.foreign_requests == []
