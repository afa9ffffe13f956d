"""key_status: by fingerprint only, what each key of every ring still covers, through a rotation
of the field-encryption and blind-index keys until the old keys are removed."""

import io
import re
import secrets

import pytest
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from audit.services import record_security_event
from core.key_fingerprints import key_fingerprint
from records import services
from records.tests.factories import register_patient

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n% status-document-content-9091\n%%EOF\n"


def status() -> str:
    out = io.StringIO()
    call_command("key_status", stdout=out)
    return out.getvalue()


def line_of(output: str, key: str) -> str:
    [line] = [line for line in output.splitlines() if line.strip().startswith(key_fingerprint(key))]
    return line


def run(command: str) -> None:
    call_command(command, stdout=io.StringIO())


def test_key_status_counts_what_each_key_still_covers_through_a_rotation(settings, doctor, patient, receptionist):
    old_field, new_field = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    old_index, new_index = settings.BLIND_INDEX_KEYS[0], secrets.token_urlsafe(32)
    register_patient(actor=receptionist)
    upload = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
    services.document_upload(actor=doctor, patient_id=patient.pk, title="Scan", kind="lab_report", uploaded_file=upload)

    settings.FIELD_ENCRYPTION_KEYS = [new_field, old_field]
    settings.BLIND_INDEX_KEYS = [new_index, old_index]
    before = status()
    assert re.search(r"encrypts\s+0 rows, 0 files", line_of(before, new_field))
    assert re.search(r"decrypts only\s+[1-9]\d* rows, 1 files", line_of(before, old_field))
    assert "records_patient: 2 rows" in before and "records_document: 1 rows" in before
    assert re.search(r"writes\s+0 patients", line_of(before, new_index))
    assert re.search(r"searched only\s+2 patients", line_of(before, old_index))

    run("reencrypt_records")
    run("reindex_blind_indexes")
    during = status()
    assert re.search(r"decrypts only\s+0 rows, 0 files", line_of(during, old_field))
    assert re.search(r"encrypts\s+[1-9]\d* rows, 1 files", line_of(during, new_field))
    assert re.search(r"searched only\s+0 patients", line_of(during, old_index))
    assert re.search(r"writes\s+2 patients", line_of(during, new_index))

    settings.FIELD_ENCRYPTION_KEYS = [new_field]
    settings.BLIND_INDEX_KEYS = [new_index]
    after = status()
    assert key_fingerprint(old_field) not in after and key_fingerprint(old_index) not in after
    assert "no configured key" not in after
    for key in (old_field, new_field, old_index, new_index, settings.SECRET_KEY, settings.AUDIT_HMAC_KEY):
        assert key not in before + during + after


def test_data_no_configured_key_opens_is_counted_apart(settings, patient, receptionist):
    settings.BLIND_INDEX_KEYS = [secrets.token_urlsafe(32)]
    assert "no configured key: 1 patients (not found by search)" in status()
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    output = status()
    assert re.search(r"no configured key: [1-9]\d* rows, 0 files; 0 files missing", output)
    assert "not checked: 1 patients whose fields no FIELD_ENCRYPTION_KEYS key opens" in output


def test_the_other_rings_are_listed_by_role(settings):
    settings.SECRET_KEY_FALLBACKS = [secrets.token_urlsafe(50)]
    settings.JWT_PREVIOUS_SIGNING_KEYS = [secrets.token_urlsafe(32)]
    output = status()
    assert line_of(output, settings.SECRET_KEY).endswith("signs")
    assert line_of(output, settings.SECRET_KEY_FALLBACKS[0]).endswith("accepted only")
    assert line_of(output, settings.JWT_SIGNING_KEY).endswith("signs")
    assert line_of(output, settings.JWT_PREVIOUS_SIGNING_KEYS[0]).endswith("verifies only")
    assert "JWT signing key (derived from SECRET_KEY)" in output
    assert re.search(r"signs\s+\d+ rows", line_of(output, settings.AUDIT_HMAC_KEY))


def test_audit_rows_are_counted_per_key_and_sealed_rows_of_a_removed_key_are_named(settings):
    old_key, new_key = settings.AUDIT_HMAC_KEY, secrets.token_urlsafe(32)
    record_security_event(action="test.before")
    settings.AUDIT_HMAC_KEY, settings.AUDIT_HMAC_PREVIOUS_KEYS = new_key, [old_key]
    during = status()
    assert re.search(r"signs\s+0 rows", line_of(during, new_key))
    assert re.search(r"verifies only\s+1 rows", line_of(during, old_key))
    run("rotate_audit_key")
    settings.AUDIT_HMAC_PREVIOUS_KEYS = []
    after = status()
    assert re.search(r"signs\s+1 rows", line_of(after, new_key))
    assert f"earlier keys, no longer configured: {key_fingerprint(old_key)} (1 rows)" in after
