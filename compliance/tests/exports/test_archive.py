"""What an export holds: every registered personal field of the subject with its value (data.json),
the record as a valid FHIR R4 collection (fhir-bundle.json), the documents, a README; and nothing
of another patient on the same care team."""

import json

import pytest
from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder

from compliance.exports.documents import document_archive_name
from compliance.inventory import MODELS, export_fields, exportable_models
from compliance.services.exports import export_build
from compliance.tests.exports.helpers import archive_bytes, bundle_of, bundle_problems, open_archive
from compliance.tests.factories import PDF, PNG, make_world
from records.fields import decrypt_bytes
from records.models import Document
from records.storage import read_document_file

pytestmark = pytest.mark.django_db

TAG, CANARY = "SUBJECTVALUE", "CANARYZEBRA"


@pytest.fixture
def world():
    return make_world(tag=TAG, canary=CANARY)


@pytest.fixture
def archive(world):
    export = export_build(actor=world.patient_user, patient_id=world.patient.pk)
    assert export.status == "ready"
    return open_archive(archive_bytes(export))


def stored_value(row, name):
    """A field's value as the database holds it, in JSON terms (written independently of the
    exporter: the model field's own value_from_object, then Django's JSON encoder)."""
    model_field = row._meta.get_field(name)
    value = model_field.value_from_object(row)
    if model_field.many_to_many:
        value = sorted(item.pk for item in value)
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def rows_about(label, path, patient):
    model = apps.get_model(label)
    queryset = model.objects.filter(pk=patient.pk) if path == "" else model.objects.filter(**{path: patient})
    return list(queryset.order_by("pk").distinct())


def test_data_json_holds_every_registered_export_field_of_the_subject_with_its_value(world, archive):
    data = json.loads(archive.read("data.json"))
    exportable = exportable_models()
    assert set(data) == {entry.model for entry in exportable}
    checked_fields = set()
    for entry in exportable:
        rows = rows_about(entry.model, entry.patient_path, world.patient)
        names = export_fields(entry.model)
        exported = data[entry.model]
        assert len(exported) == len(rows), entry.model
        for row, item in zip(rows, exported, strict=True):
            assert set(item) == set(names), entry.model
            for name in names:
                assert item[name] == stored_value(row, name), f"{entry.model}.{name}"
                checked_fields.add((entry.model, name))
    # The walk reached real data: every clinical model has rows, and the values are the patient's.
    for label in (
        "records.Patient",
        "records.Encounter",
        "records.ClinicalNote",
        "records.Condition",
        "records.Medication",
        "records.Allergy",
        "records.Observation",
        "records.Appointment",
        "records.Document",
        "records.CareTeamMembership",
        "records.BreakGlassAccess",
        "accounts.User",
        "accounts.UserSession",
        "compliance.ConsentDecision",
    ):
        assert data[label], label
    assert ("records.ClinicalNote", "body") in checked_fields
    assert data["records.Patient"][0]["family_name"] == f"Family{TAG}"
    assert data["records.Patient"][0]["national_id"] == f"NID{TAG}"
    assert {note["body"] for note in data["records.ClinicalNote"]} >= {f"Signed note {TAG}", f"Amendment {TAG}"}
    assert data["accounts.User"][0]["email"] == world.patient_user.email


def test_data_json_carries_no_field_the_inventory_keeps_out(world, archive):
    data = json.loads(archive.read("data.json"))
    assert "password" not in data["accounts.User"][0]
    assert "mrn_index" not in data["records.Patient"][0]
    assert "storage_name" not in data["records.Document"][0]
    assert all("clinician" not in row for row in data["records.Encounter"])
    # Models the inventory does not export (the audit trail, credentials) are not keys.
    for label, entry in MODELS.items():
        if entry.patient_path is None or not export_fields(label):
            assert label not in data


def test_nothing_of_another_patient_on_the_same_care_team(world, archive):
    for name in archive.namelist():
        content = archive.read(name)
        assert CANARY.encode() not in content, name
        assert CANARY.lower().encode() not in content, name
    assert TAG.encode() in archive.read("data.json")
    assert TAG.encode() in archive.read("fhir-bundle.json")
    other_ids = {str(world.other.pk)}
    data = json.loads(archive.read("data.json"))
    assert all(str(row.get("patient")) not in other_ids for rows in data.values() for row in rows if "patient" in row)


def test_the_fhir_bundle_is_a_valid_r4_collection_whose_references_all_resolve(archive):
    bundle = bundle_of(archive)
    assert bundle_problems(bundle) == []
    kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert kinds == {
        "Patient",
        "Encounter",
        "Condition",
        "MedicationStatement",
        "AllergyIntolerance",
        "Observation",
        "DocumentReference",
        "Appointment",
        "CareTeam",
        "AuditEvent",
        "Consent",
    }


def test_the_fhir_bundle_carries_the_record(world, archive):
    resources = [entry["resource"] for entry in bundle_of(archive)["entry"]]
    by_kind = {}
    for resource in resources:
        by_kind.setdefault(resource["resourceType"], []).append(resource)
    (patient,) = by_kind["Patient"]
    assert patient["name"][0]["family"] == f"Family{TAG}"
    assert patient["identifier"][0]["value"] == world.patient.mrn
    assert len(by_kind["Encounter"]) == 2
    assert {c["clinicalStatus"]["coding"][0]["code"] for c in by_kind["Condition"]} == {
        "active",
        "resolved",
        "inactive",
    }
    assert {m["status"] for m in by_kind["MedicationStatement"]} == {"active", "stopped", "completed"}
    assert {a["verificationStatus"]["coding"][0]["code"] for a in by_kind["AllergyIntolerance"]} == {
        "confirmed",
        "refuted",
    }
    assert {a["status"] for a in by_kind["Appointment"]} == {"booked", "checked-in", "fulfilled", "cancelled", "noshow"}
    numeric = next(o for o in by_kind["Observation"] if "valueQuantity" in o)
    assert numeric["valueQuantity"]["value"] == 130 and numeric["interpretation"][0]["coding"][0]["code"] == "A"
    assert any(o.get("valueString") == f"positive {TAG}" for o in by_kind["Observation"])
    notes = [d for d in by_kind["DocumentReference"] if d["category"][0]["text"] == "Clinical note"]
    assert {n["docStatus"] for n in notes} == {"final", "preliminary"}
    assert any(n["status"] == "superseded" for n in notes) and any("relatesTo" in n for n in notes)
    files = [d for d in by_kind["DocumentReference"] if d["category"][0]["text"] == "Document"]
    assert len(files) == 2
    (team,) = by_kind["CareTeam"]
    assert {p["member"]["display"] for p in team["participant"]} == {
        "Dr Dana Whitfield (Doctor)",
        "Nurse Noor Haddad (Nurse)",
    }
    consents = by_kind["Consent"]
    assert [c["provision"]["type"] for c in consents] == ["permit", "deny", "permit"]
    assert [c["status"] for c in consents] == ["inactive", "active", "active"]
    assert {c["scope"]["coding"][0]["code"] for c in consents} == {"patient-privacy", "research"}
    # Who accessed the record: the doctor's and nurse's writes are there, by name.
    assert any(e["agent"][0]["who"]["display"] == "Dr Dana Whitfield (Doctor)" for e in by_kind["AuditEvent"])


def test_a_bad_code_or_a_dangling_reference_is_caught_by_the_checks(archive):
    """The checks above can fail: a code outside R4's value set and a reference to nothing."""
    bundle = bundle_of(archive)
    condition = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Condition")
    condition["clinicalStatus"]["coding"][0]["code"] = "cured"
    condition["subject"]["reference"] = "urn:uuid:00000000-0000-0000-0000-000000000000"
    problems = bundle_problems(bundle)
    assert any("clinicalStatus = 'cured'" in problem for problem in problems)
    assert any("not in the bundle" in problem for problem in problems)


def test_the_documents_are_there_decrypted_under_safe_names(world, archive):
    names = archive.namelist()
    documents = Document.objects.filter(patient=world.patient)
    for document in documents:
        name = document_archive_name(document)
        assert name in names
        assert archive.read(name) == decrypt_bytes(read_document_file(document.storage_name))
    document_names = [name for name in names if name.startswith("documents/")]
    assert len(document_names) == 2
    for name in document_names:
        assert ".." not in name and name.count("/") == 1 and "\\" not in name
    assert {archive.read(name)[:4] for name in document_names} == {PNG[:4], PDF[:4]}


def test_the_readme_says_what_is_in_the_archive(archive):
    readme = archive.read("README.txt").decode()
    for name in ("data.json", "fhir-bundle.json", "documents/", "FHIR R4"):
        assert name in readme
    assert set(archive.namelist()) >= {"README.txt", "data.json", "fhir-bundle.json"}
