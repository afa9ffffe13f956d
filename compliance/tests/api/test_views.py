"""The patient's exports through the API: ask, state, download; the refusals answer JSON errors."""

import datetime

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.services.tokens import token_pair_issue
from audit.models import AuditEvent
from compliance.models import DataExport
from compliance.services.exports import export_build
from compliance.tests.exports.helpers import bundle_of, bundle_problems, open_archive
from compliance.tests.factories import make_world

pytestmark = pytest.mark.django_db

LIST = "/api/v1/privacy/exports/"


def detail(export) -> str:
    return f"{LIST}{export.pk}/"


def download(export) -> str:
    return f"{LIST}{export.pk}/download/"


@pytest.fixture
def world():
    return make_world(full=False)


def client_for(user) -> APIClient:
    client = APIClient()
    pair = token_pair_issue(user=user, mfa=user.requires_mfa)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    return client


def test_the_patient_asks_sees_and_downloads(world, builds_held):
    client = client_for(world.patient_user)
    asked = client.post(LIST, {}, format="json")
    assert asked.status_code == 201
    assert asked.json()["status"] == "preparing" and asked.json()["download_url"] is None
    builds_held.run()
    export = DataExport.objects.get()
    state = client.get(detail(export)).json()
    assert state["status"] == "ready" and state["download_url"] == download(export)
    assert state["expires_at"] and state["size"] == export.size
    assert [item["id"] for item in client.get(LIST).json()] == [export.pk]
    response = client.get(download(export))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = open_archive(b"".join(response.streaming_content))
    assert bundle_problems(bundle_of(archive)) == []
    assert AuditEvent.objects.filter(action="data_export.download", actor_id=world.patient_user.pk).count() == 1


def test_a_second_request_while_one_is_prepared_returns_it(world, builds_held):
    client = client_for(world.patient_user)
    first = client.post(LIST, {}, format="json")
    second = client.post(LIST, {}, format="json")
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert DataExport.objects.count() == 1


def test_a_body_with_fields_is_refused(world):
    response = client_for(world.patient_user).post(LIST, {"patient_id": world.other.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"patient_id": ["Unknown field."]}
    assert not DataExport.objects.exists()


def test_another_patients_export_is_a_404_like_a_missing_one(world):
    theirs = export_build(actor=world.other_user, patient_id=world.other.pk)
    client = client_for(world.patient_user)
    for url in (detail(theirs), download(theirs)):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert (
        client.get(f"{LIST}{theirs.pk + 1000}/download/").json()["error"]["message"]
        == (client.get(download(theirs)).json()["error"]["message"])
    )
    assert not AuditEvent.objects.filter(action="data_export.download", outcome="success").exists()


@pytest.mark.parametrize("role", [Role.DOCTOR, Role.NURSE, Role.RECEPTIONIST, Role.COMPLIANCE, Role.ADMIN])
def test_staff_get_403_on_every_export_endpoint(world, make_user, role):
    export = export_build(actor=world.patient_user, patient_id=world.patient.pk)
    client = client_for(make_user(role))
    for response in (
        client.get(LIST),
        client.post(LIST, {}, format="json"),
        client.get(detail(export)),
        client.get(download(export)),
    ):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
    assert DataExport.objects.count() == 1


def test_an_expired_export_is_a_410(world):
    export = export_build(actor=world.patient_user, patient_id=world.patient.pk)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client_for(world.patient_user).get(download(export))
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "gone"


def test_an_export_being_prepared_is_a_409(world, builds_held):
    client = client_for(world.patient_user)
    client.post(LIST, {}, format="json")
    response = client.get(download(DataExport.objects.get()))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_ready"


def test_anonymous_gets_401(world):
    export = export_build(actor=world.patient_user, patient_id=world.patient.pk)
    assert APIClient().get(download(export)).status_code == 401


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_documents_the_download_as_a_zip_and_its_refusals(schema):
    operation = schema["paths"]["/api/v1/privacy/exports/{export_id}/download/"]["get"]
    assert operation["responses"]["200"]["content"] == {
        "application/zip": {"schema": {"type": "string", "format": "binary"}}
    }
    for code in ("401", "403", "404", "409", "410"):
        assert code in operation["responses"], code
    create = schema["paths"]["/api/v1/privacy/exports/"]["post"]
    assert {"200", "201"} <= set(create["responses"])
    body = create["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert schema["components"]["schemas"][body]["additionalProperties"] is False
