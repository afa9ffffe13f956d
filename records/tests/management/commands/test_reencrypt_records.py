"""reencrypt_records: after a key rotation every encrypted value and every document file is
rewritten under the first key, so the old key can be retired; a run that stopped resumes."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings

from records import key_rotation, selectors, services
from records.fields import FieldDecryptionError, decrypt_bytes
from records.models import Patient
from records.storage import read_document_file

pytestmark = pytest.mark.django_db


def test_reencrypt_records_moves_every_row_to_the_new_key(settings, doctor, patient):
    services.record_create(
        actor=doctor, patient_id=patient.pk, record_type_name="notes", data={"kind": "physician", "body": "Rotate me"}
    )
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        call_command("reencrypt_records", stdout=io.StringIO())
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
        fresh = Patient.objects.get(pk=patient.pk)
        assert fresh.family_name == patient.family_name and fresh.date_of_birth == patient.date_of_birth
        assert fresh.notes.get().body == "Rotate me"
    with override_settings(FIELD_ENCRYPTION_KEYS=[old_key]), pytest.raises(FieldDecryptionError):
        Patient.objects.get(pk=patient.pk)


PDF = b"%PDF-1.7\n% rotation-document-content-5512\n%%EOF\n"


def _upload(doctor, patient, n: int):
    upload = SimpleUploadedFile(f"scan{n}.pdf", PDF + bytes([n]), content_type="application/pdf")
    return services.document_upload(
        actor=doctor, patient_id=patient.pk, title=f"Scan {n}", kind="lab_report", uploaded_file=upload
    )


def _run() -> str:
    out = io.StringIO()
    call_command("reencrypt_records", stdout=out)
    return out.getvalue()


def test_document_files_move_to_the_new_key_and_open_once_the_old_key_is_gone(settings, doctor, patient):
    old_key, new_key = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    documents = [_upload(doctor, patient, n) for n in range(3)]
    before = {d.pk: read_document_file(d.storage_name) for d in documents}
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    output = _run()
    assert "document files: 3 checked, 3 re-encrypted" in output
    assert "3 document files under the current key" in output
    for document in documents:
        assert read_document_file(document.storage_name) != before[document.pk]
    assert sorted(path.name for path in settings.DOCUMENTS_DIR.iterdir()) == sorted(d.storage_name for d in documents)
    assert "0 rows and 0 document files" in _run(), "a second run rewrites nothing"

    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    for n, document in enumerate(documents):
        _, content = selectors.document_download(user=doctor, patient_id=patient.pk, document_id=document.pk)
        assert content == PDF + bytes([n])
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    with pytest.raises(FieldDecryptionError):
        decrypt_bytes(read_document_file(documents[0].storage_name))


def test_an_interrupted_run_resumes_where_it_stopped(settings, doctor, patient, monkeypatch):
    old_key, new_key = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    documents = [_upload(doctor, patient, n) for n in range(3)]
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    real_replace = key_rotation.replace_document_file
    calls = []

    def replace_then_fail(storage_name, encrypted):
        if len(calls) == 1:
            raise OSError("disk full")
        calls.append(storage_name)
        real_replace(storage_name, encrypted)

    monkeypatch.setattr(key_rotation, "replace_document_file", replace_then_fail)
    with pytest.raises(OSError, match="disk full"):
        _run()
    monkeypatch.setattr(key_rotation, "replace_document_file", real_replace)
    assert "document files: 3 checked, 2 re-encrypted" in _run()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    for document in documents:
        assert decrypt_bytes(read_document_file(document.storage_name)).startswith(PDF)


def test_a_missing_or_foreign_document_file_stops_the_run_naming_the_document(settings, doctor, patient):
    document = _upload(doctor, patient, 1)
    foreign = Fernet(Fernet.generate_key()).encrypt(PDF)
    (settings.DOCUMENTS_DIR / document.storage_name).write_bytes(foreign)
    with pytest.raises(CommandError, match=f"document #{document.pk}: its file opens under no configured key"):
        _run()
    (settings.DOCUMENTS_DIR / document.storage_name).unlink()
    with pytest.raises(CommandError, match=f"document #{document.pk}: its file is missing"):
        _run()
