"""django-auditlog on the records: tracked, with every PHI field excluded and no PHI in object_repr."""

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse

from records import services
from records.auditlog import TRACKED_MODELS
from records.fields import is_encrypted
from records.models import Patient
from records.tests.factories import register_patient

pytestmark = pytest.mark.django_db


def test_every_clinical_model_is_tracked_without_its_encrypted_or_index_fields():
    for name in TRACKED_MODELS:
        model = apps.get_model("records", name)
        assert auditlog.contains(model), name
        options = auditlog.get_model_fields(model)
        for field in model._meta.concrete_fields:
            if is_encrypted(field) or field.name.endswith("_index"):
                assert field.name in options["exclude_fields"], f"{name}.{field.name}"
    assert {field.name for field in Patient._meta.concrete_fields if is_encrypted(field)} >= {
        "given_name",
        "family_name",
        "date_of_birth",
        "email",
        "phone",
        "address",
        "national_id",
        "mrn",
    }


def test_a_demographics_change_is_logged_with_the_actor_and_without_the_values(receptionist):
    patient = register_patient(actor=receptionist, family_name="Oldname-Canary")
    services.patient_update(
        actor=receptionist, patient_id=patient.pk, data={"family_name": "Newname-Canary", "status": "inactive"}
    )
    entry = LogEntry.objects.get_for_object(patient).order_by("-id").first()
    assert entry.actor_id == receptionist.pk
    assert entry.object_repr == f"Patient #{patient.pk}"
    assert "status" in entry.changes_dict
    assert "Canary" not in str(entry.changes) and "family_name" not in entry.changes_dict


def test_an_undecryptable_value_is_a_generic_500_never_ciphertext(verified, doctor, patient):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE records_patient SET family_name = %s WHERE id = %s", ["gAAAAAbroken", patient.pk])
    client = verified(doctor)
    quiet = Client(raise_request_exception=False)
    quiet.cookies = client.cookies
    response = quiet.get(reverse("records:chart", args=[patient.pk]))
    assert response.status_code == 500
    assert b"gAAAA" not in response.content and b"FieldDecryptionError" not in response.content
