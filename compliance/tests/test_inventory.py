"""The data inventory covers every stored field, exactly, and says consistent things about each."""

from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone

from accounts.roles import Role
from compliance.inventory import (
    MODELS,
    REGISTRY,
    RETENTION,
    Category,
    Erasure,
    Subject,
    export_fields,
    exportable_models,
    fields_of,
    inventory_coverage,
)
from records.fields import EncryptedCharField, EncryptedDateField, EncryptedEmailField, EncryptedTextField
from records.models import Appointment, Patient
from records.tests.factories import register_patient

ENCRYPTED = (EncryptedCharField, EncryptedDateField, EncryptedEmailField, EncryptedTextField)


def test_every_stored_field_has_an_entry():
    coverage = inventory_coverage()
    assert not coverage.missing, f"fields without an inventory entry (compliance/inventory): {sorted(coverage.missing)}"


def test_no_entry_names_a_field_that_does_not_exist():
    coverage = inventory_coverage()
    assert not coverage.unknown, f"inventory entries for no stored field: {sorted(coverage.unknown)}"


def test_a_missing_entry_and_a_stale_entry_are_both_reported():
    dropped = next(entry for entry in REGISTRY if entry.model == "records.Patient" and entry.field == "email")
    stale = replace(dropped, field="email_backup")
    registry = (*(entry for entry in REGISTRY if entry is not dropped), stale)

    coverage = inventory_coverage(registry)

    assert coverage.missing == {("records.Patient", "email")}
    assert coverage.unknown == {("records.Patient", "email_backup")}


def test_the_inventory_walks_every_installed_app_we_store():
    labels = {label.split(".")[0] for label, _ in inventory_coverage().stored}
    for app_label in ["records", "accounts", "audit", "compliance", "axes", "otp_totp", "otp_static"]:
        assert app_label in labels
    for app_label in ["token_blacklist", "auditlog", "sessions", "auth", "contenttypes", "admin"]:
        assert app_label in labels


def test_no_field_is_classified_twice():
    twice = [key for key, count in Counter((e.model, e.field) for e in REGISTRY).items() if count > 1]
    assert twice == []


def test_every_model_has_a_model_entry_and_no_other():
    models_with_fields = {entry.model for entry in REGISTRY}
    assert set(MODELS) == models_with_fields


@pytest.mark.parametrize("entry", REGISTRY, ids=lambda e: f"{e.model}.{e.field}")
def test_an_entry_is_consistent(entry):
    assert entry.retention in RETENTION
    assert entry.purpose and entry.lawful_basis
    assert isinstance(entry.category, Category)
    assert isinstance(entry.subject, Subject)
    assert isinstance(entry.erasure, Erasure)
    # Not personal, nobody's, untouched by erasure: one fact said three ways.
    assert (not entry.personal) == (entry.subject == Subject.NONE) == (entry.erasure == Erasure.NOT_PERSONAL)
    if entry.export:
        # An export carries the patient's own data only, from rows that lead to the patient.
        assert entry.personal and entry.subject == Subject.PATIENT
        assert MODELS[entry.model].patient_path is not None


@pytest.mark.parametrize("entry", REGISTRY, ids=lambda e: f"{e.model}.{e.field}")
def test_encrypted_fields_are_personal_and_secrets_are_never_exported(entry):
    model_field = apps.get_model(entry.model)._meta.get_field(entry.field)
    if isinstance(model_field, ENCRYPTED):
        assert entry.personal
        assert entry.category in {Category.IDENTIFYING, Category.CONTACT, Category.HEALTH_SPECIAL, Category.SECURITY}
    secret_names = ("password", "token", "key", "digest", "hash", "session_data", "jti")
    if any(word in entry.field for word in secret_names) and entry.category == Category.SECURITY:
        assert not entry.export


def _walk(model, path: str):
    for name in path.split("__") if path else []:
        try:
            model = model._meta.get_field(name).related_model
        except FieldDoesNotExist:
            pytest.fail(f"{path!r}: {model._meta.label} has no field {name!r}")
    return model


@pytest.mark.parametrize("model_entry", list(MODELS.values()), ids=lambda m: m.model)
def test_a_patient_path_leads_to_the_patient(model_entry):
    if model_entry.patient_path is None:
        return
    assert _walk(apps.get_model(model_entry.model), model_entry.patient_path) is Patient


@pytest.mark.django_db
def test_a_patient_path_reaches_that_patients_rows_only(make_user):
    """Each exportable model's path, used as a filter, finds this patient's rows and no other's."""
    mine, theirs = register_patient(), register_patient()
    for record in (mine, theirs):
        record.user = make_user()
        record.save(update_fields=["user"])
    clinician = make_user(Role.DOCTOR)
    for record in (mine, theirs):
        start = timezone.now() + timedelta(days=3)
        Appointment.objects.create(
            patient=record, clinician=clinician, starts_at=start, ends_at=start + timedelta(hours=1)
        )

    for model_entry in exportable_models():
        model = apps.get_model(model_entry.model)
        lookup = model_entry.patient_path or "pk"
        found = set(model.objects.filter(**{lookup: mine.pk}).values_list("pk", flat=True))
        others = set(model.objects.filter(**{lookup: theirs.pk}).values_list("pk", flat=True))
        assert not found & others, model_entry.model
    assert Appointment.objects.filter(patient=mine).count() == 1
    assert set(apps.get_model("accounts.User").objects.filter(patient_record=mine.pk)) == {mine.user}


def test_the_export_leaves_out_credentials_and_staff_links():
    assert "password" not in export_fields("accounts.User")
    assert "email" in export_fields("accounts.User")
    assert "clinician" not in export_fields("records.Appointment")
    assert "starts_at" in export_fields("records.Appointment")
    assert "mrn_index" not in export_fields("records.Patient")
    assert "body" in export_fields("records.ClinicalNote")
    exported = {model.model for model in exportable_models()}
    assert {"records.Patient", "records.Encounter", "accounts.User"} <= exported
    assert "otp_totp.TOTPDevice" not in exported  # a secret: never exported
    assert "audit.AuditEvent" not in exported  # no path from the patient


def test_fields_of_keeps_the_model_order():
    names = [entry.field for entry in fields_of("records.Appointment")]
    assert names == [f.name for f in apps.get_model("records.Appointment")._meta.concrete_fields]
