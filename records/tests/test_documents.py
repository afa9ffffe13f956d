"""Documents: type by content, size limit, encrypted before disk, audited attachment download,
deletion removes the file, refused uploads leave nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from records.models import Document

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% canary-document-content-4471\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def upload(client, patient, content, name="file.pdf", content_type="application/pdf", title="Lab result"):
    return client.post(
        f"/api/v1/patients/{patient.pk}/documents/",
        {"title": title, "kind": "lab_report", "file": SimpleUploadedFile(name, content, content_type=content_type)},
        format="multipart",
    )


def stored_files(settings):
    folder = settings.DOCUMENTS_DIR
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(("content", "kind"), [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")])
def test_pdf_png_and_jpeg_are_stored_encrypted_and_downloaded_as_attachments(
    jwt_client, nurse, patient, settings, content, kind
):
    client = jwt_client(nurse)
    response = upload(client, patient, content, name="whatever.bin", content_type="text/plain")
    assert response.status_code == 201, response.json()
    assert response.json()["content_type"] == kind
    [path] = stored_files(settings)
    assert content not in path.read_bytes() and b"canary" not in path.read_bytes()
    assert "static" not in str(path) and path.stat().st_mode & 0o077 == 0

    download = client.get(f"/api/v1/patients/{patient.pk}/documents/{response.json()['id']}/download/")
    assert download.status_code == 200 and download.content == content
    assert download["Content-Type"] == kind
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action="document.download", patient_id=patient.pk).count() == 1


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (b"MZ\x90\x00 an executable", "scan.pdf", "application/pdf"),
        (b"<html><script>alert(1)</script></html>", "scan.png", "image/png"),
        (b"", "empty.pdf", "application/pdf"),
    ],
)
def test_other_content_is_refused_whatever_its_name_and_leaves_nothing(
    jwt_client, nurse, patient, settings, content, name, content_type
):
    response = upload(jwt_client(nurse), patient, content, name=name, content_type=content_type)
    assert response.status_code == 400
    assert Document.objects.count() == 0 and stored_files(settings) == []


def test_a_file_over_the_limit_is_refused_and_leaves_nothing(jwt_client, nurse, patient, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    response = upload(jwt_client(nurse), patient, PDF + b"x" * 2000)
    assert response.status_code == 400 and "file" in response.json()["error"]["details"]
    assert Document.objects.count() == 0 and stored_files(settings) == []


def test_deleting_a_document_deletes_its_file(
    jwt_client, doctor, nurse, patient, settings, django_capture_on_commit_callbacks
):
    document_id = upload(jwt_client(nurse), patient, PDF).json()["id"]
    assert jwt_client(nurse).delete(f"/api/v1/patients/{patient.pk}/documents/{document_id}/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = jwt_client(doctor).delete(f"/api/v1/patients/{patient.pk}/documents/{document_id}/")
    assert response.status_code == 204
    assert Document.objects.count() == 0 and stored_files(settings) == []


def test_documents_of_a_patient_outside_the_care_team_are_404(jwt_client, nurse, other_doctor, receptionist, patient):
    document_id = upload(jwt_client(nurse), patient, PDF).json()["id"]
    url = f"/api/v1/patients/{patient.pk}/documents/{document_id}/download/"
    assert jwt_client(other_doctor).get(url).status_code == 404
    assert jwt_client(receptionist).get(url).status_code == 403
    assert upload(jwt_client(other_doctor), patient, PDF).status_code == 404


def test_a_patient_downloads_their_own_document(jwt_client, nurse, patient_user, patient):
    document_id = upload(jwt_client(nurse), patient, PDF).json()["id"]
    response = jwt_client(patient_user).get(f"/api/v1/patients/{patient.pk}/documents/{document_id}/download/")
    assert response.status_code == 200 and response.content == PDF
    assert AuditEvent.objects.filter(action="document.download", purpose="self").count() == 1


@pytest.mark.django_db
def test_a_deeply_nested_json_body_on_the_upload_endpoint_is_a_400(jwt_client, doctor, patient):
    body = "[" * 100_000 + "]" * 100_000
    response = jwt_client(doctor).generic(
        "POST", f"/api/v1/patients/{patient.pk}/documents/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400
    assert not Document.objects.exists()
