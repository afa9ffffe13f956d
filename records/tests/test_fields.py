"""Encrypted fields: ciphertext at rest, an error (never ciphertext) when a value cannot be
decrypted, key rotation without loss."""

import datetime

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.test import override_settings

from records.fields import FieldDecryptionError, rotate_text
from records.models import Patient
from records.tests.factories import register_patient

pytestmark = pytest.mark.django_db


def raw_column(patient_id: int, column: str) -> str:
    with connection.cursor() as cursor:
        # S608: the column name is a constant of this test; the id is a parameter.
        cursor.execute(f"SELECT {column} FROM records_patient WHERE id = %s", [patient_id])  # noqa: S608
        return cursor.fetchone()[0]


def test_values_are_stored_as_ciphertext_and_read_back_as_plaintext():
    patient = register_patient(family_name="Quibbleworth", date_of_birth=datetime.date(1961, 3, 4))

    assert raw_column(patient.pk, "family_name").startswith("gAAAA")
    assert "Quibbleworth" not in raw_column(patient.pk, "family_name")
    assert "1961" not in raw_column(patient.pk, "date_of_birth")
    fresh = Patient.objects.get(pk=patient.pk)
    assert fresh.family_name == "Quibbleworth"
    assert fresh.date_of_birth == datetime.date(1961, 3, 4)


def test_a_flipped_byte_raises_instead_of_showing_ciphertext():
    patient = register_patient()
    stored = raw_column(patient.pk, "given_name")
    damaged = stored[:40] + ("A" if stored[40] != "A" else "B") + stored[41:]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE records_patient SET given_name = %s WHERE id = %s", [damaged, patient.pk])

    with pytest.raises(FieldDecryptionError) as raised:
        Patient.objects.get(pk=patient.pk)
    assert "gAAAA" not in str(raised.value)


def test_a_wrong_key_raises_instead_of_showing_ciphertext():
    patient = register_patient()
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        with pytest.raises(FieldDecryptionError):
            Patient.objects.get(pk=patient.pk)
        with pytest.raises(FieldDecryptionError):
            list(Patient.objects.values_list("family_name", flat=True))


def test_keys_rotate_without_loss(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    patient = register_patient(family_name="Rotatingham")
    new_key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        # Old rows still decrypt; a save encrypts under the new key.
        fresh = Patient.objects.get(pk=patient.pk)
        assert fresh.family_name == "Rotatingham"
        fresh.save()
        assert Fernet(new_key).decrypt(raw_column(patient.pk, "family_name").encode()) == b"Rotatingham"
        # rotate_text re-encrypts a stored token under the first key, for a bulk re-encryption.
        assert Fernet(new_key).decrypt(rotate_text(raw_column(patient.pk, "given_name")).encode())
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
        assert Patient.objects.get(pk=patient.pk).family_name == "Rotatingham"
    with override_settings(FIELD_ENCRYPTION_KEYS=[old_key]), pytest.raises(FieldDecryptionError):
        Patient.objects.get(pk=patient.pk)


def test_input_that_looks_like_ciphertext_is_kept_as_typed():
    """to_python never decrypts input: what a user types is stored as typed."""
    token = Fernet(Fernet.generate_key()).encrypt(b"x").decode()[:60]
    patient = register_patient(gender=token)
    assert Patient.objects.get(pk=patient.pk).gender == token
