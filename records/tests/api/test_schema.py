"""The records API's OpenAPI schema says exactly what the API does, and the API is as strict."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from records.api.serializers import PATIENT_PAGE_MAX
from records.models import ICD10_PATTERN

pytestmark = pytest.mark.django_db

RECORDS_PATHS = ("/api/v1/patients/", "/api/v1/break-glass/")


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def records_operations(schema):
    for path, item in schema["paths"].items():
        if path.startswith(RECORDS_PATHS):
            for method, operation in item.items():
                yield path, method, operation


def component(schema, reference: str) -> dict:
    return schema["components"]["schemas"][reference.rsplit("/", 1)[-1]]


def test_page_and_page_size_have_their_bounds(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/patients/"]["get"]["parameters"]}
    assert parameters["page"]["minimum"] == 1 and parameters["page"]["maximum"] == PATIENT_PAGE_MAX
    assert parameters["page_size"]["minimum"] == 1 and parameters["page_size"]["maximum"] == 100
    search = component(schema, "PatientSearchRequest")["properties"]
    assert search["page"]["maximum"] == PATIENT_PAGE_MAX and search["page_size"]["maximum"] == 100


def test_every_request_body_refuses_properties_it_does_not_declare(schema):
    bodies = 0
    for path, method, operation in records_operations(schema):
        for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
            bodies += 1
            assert component(schema, content["schema"]["$ref"]).get("additionalProperties") is False, (
                path,
                method,
                media_type,
            )
    assert bodies > 20


def test_condition_codes_carry_the_icd10_pattern(schema):
    for name in ("ConditionRequest", "PatchedConditionRequest"):
        assert component(schema, name)["properties"]["icd10_code"]["pattern"] == ICD10_PATTERN.pattern


def test_downloads_declare_their_real_content_types(schema):
    operation = schema["paths"]["/api/v1/patients/{patient_id}/documents/{document_id}/download/"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"application/pdf", "image/png", "image/jpeg"}


def test_every_status_an_operation_can_answer_is_declared(schema):
    for path, method, operation in records_operations(schema):
        statuses = set(operation["responses"])
        assert {"400", "401", "403", "404", "503"} <= statuses, (path, method)
        assert ("415" in statuses) == ("requestBody" in operation), (path, method)


@pytest.mark.parametrize("value", [0, 1.5, True, ["Latex"], {"name": "Latex"}])
def test_a_string_field_refuses_anything_but_a_string(jwt_client, nurse, patient, value):
    """POST .../allergies/ {"substance": 0, ...} stored the allergy with substance "0"."""
    response = jwt_client(nurse).post(
        f"/api/v1/patients/{patient.pk}/allergies/", {"substance": value, "severity": "mild"}, format="json"
    )
    assert response.status_code == 400 and list(response.json()["error"]["details"]) == ["substance"]
    assert not patient.allergies.exists()


def test_search_terms_refuse_anything_but_a_string(jwt_client, receptionist):
    response = jwt_client(receptionist).post("/api/v1/patients/search/", {"family_name": 0}, format="json")
    assert response.status_code == 400 and list(response.json()["error"]["details"]) == ["family_name"]


def test_an_unsupported_body_type_is_a_415_in_the_error_shape(jwt_client, nurse, patient):
    response = jwt_client(nurse).post(
        f"/api/v1/patients/{patient.pk}/allergies/", "substance=Latex", content_type="text/plain"
    )
    assert response.status_code == 415 and response.json()["error"]["status"] == 415
