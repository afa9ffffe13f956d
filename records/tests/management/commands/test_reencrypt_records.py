"""reencrypt_records: after a key rotation every encrypted value is rewritten under the first key,
so the old key can be retired."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.test import override_settings

from records import services
from records.fields import FieldDecryptionError
from records.models import Patient

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
