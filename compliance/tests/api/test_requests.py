import pytest
from django.urls import reverse

from compliance.models import DataSubjectRequest
from compliance.services import requests as services
from compliance.tests.factories import open_request

pytestmark = pytest.mark.django_db

LIST = reverse("compliance-api:request-list")


def detail(request_id):
    return reverse("compliance-api:request-detail", args=[request_id])


def withdraw(request_id):
    return reverse("compliance-api:request-withdraw", args=[request_id])


def test_a_patient_opens_a_request_and_reads_its_history(jwt_client, subject):
    _, account = subject
    client = jwt_client(account)

    response = client.post(LIST, {"kind": "portability", "details": "As a CSV please."}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["status"], body["channel"]) == ("portability", "received", "portal")
    assert [event["action"] for event in body["history"]] == ["opened"]
    assert body["history"][0]["by_you"] is True
    assert client.get(detail(body["id"])).json()["number"] == body["number"]
    assert [item["id"] for item in client.get(LIST).json()] == [body["id"]]


def test_a_duplicate_open_request_is_a_400_with_the_json_error_body(jwt_client, subject):
    _, account = subject
    first = open_request(account, kind="erasure")

    response = jwt_client(account).post(LIST, {"kind": "erasure"}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400 and first.number in str(error["details"]["kind"])
    assert DataSubjectRequest.objects.count() == 1


def test_a_correction_carries_its_proposed_values(jwt_client, subject):
    patient, account = subject
    response = jwt_client(account).post(
        LIST,
        {"kind": "rectification", "proposed_values": {"family_name": "Apifixed", "date_of_birth": "1969-07-20"}},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["proposed_values"] == {"family_name": "Apifixed", "date_of_birth": "1969-07-20"}
    patient.refresh_from_db()
    assert patient.family_name != "Apifixed"


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "rectification", "proposed_values": {"national_id": "NID-1"}},
        {"kind": "rectification", "proposed_values": {"family_name": 7}},
        {"kind": "rectification"},
        {"kind": "access", "proposed_values": {"family_name": "X"}},
        {"kind": "access", "status": "completed"},
        {"kind": "access", "patient": 1},
        {"kind": "everything"},
        {},
    ],
)
def test_bad_input_is_a_400_and_stores_nothing(jwt_client, subject, body):
    response = jwt_client(subject[1]).post(LIST, body, format="json")
    assert response.status_code == 400 and "error" in response.json()
    assert DataSubjectRequest.objects.count() == 0


def test_another_patients_request_is_a_404_like_a_missing_one(jwt_client, subject, other_subject):
    request = open_request(other_subject[1])
    client = jwt_client(subject[1])
    for url in (detail(request.pk), detail(request.pk + 1000)):
        assert client.get(url).status_code == 404
    assert client.post(withdraw(request.pk)).status_code == 404
    assert client.get(LIST).json() == []
    assert DataSubjectRequest.objects.get(pk=request.pk).status == "received"


def test_a_patient_withdraws_once_then_gets_a_400(jwt_client, subject):
    request = open_request(subject[1])
    client = jwt_client(subject[1])
    assert client.post(withdraw(request.pk)).json()["status"] == "withdrawn"
    response = client.post(withdraw(request.pk))
    assert response.status_code == 400 and "closed" in str(response.json()["error"]["details"])


def test_the_patient_is_told_the_reasons_but_not_the_officers_notes(jwt_client, subject, officer):
    _, account = subject
    request = open_request(account)
    services.request_verify_identity(
        actor=officer, request_id=request.pk, method="other", note="Internal: called the number on file."
    )
    services.request_extend(actor=officer, request_id=request.pk, months=1, reason="The archive is off site.")

    history = jwt_client(account).get(detail(request.pk)).json()["history"]

    assert [event["note"] for event in history] == ["", "", "The archive is off site."]
    assert all(event["by_you"] is False for event in history[1:])


@pytest.mark.parametrize("role", ["compliance", "receptionist", "doctor", "admin"])
def test_staff_do_not_use_the_patients_api(jwt_client, make_user, subject, role):
    request = open_request(subject[1])
    client = jwt_client(make_user(role))
    assert client.get(LIST).status_code == 403
    assert client.get(detail(request.pk)).status_code == 403
    assert client.post(withdraw(request.pk)).status_code == 403
