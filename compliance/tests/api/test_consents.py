"""The consent API: the patient's own consents only; give and withdraw; errors in the JSON shape."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from audit.models import AuditEvent
from compliance.models import ConsentDecision, ConsentPurpose
from compliance.services.consents import consent_version_publish

pytestmark = pytest.mark.django_db

REMINDERS = ConsentPurpose.EMAIL_REMINDERS
LIST = reverse("compliance-api:consent-list")


def _give(key=REMINDERS):
    return reverse("compliance-api:consent-give", kwargs={"purpose_key": key})


def _withdraw(key=REMINDERS):
    return reverse("compliance-api:consent-withdraw", kwargs={"purpose_key": key})


def _state(response, key=REMINDERS):
    return next(item for item in response.json() if item["purpose"] == key)


def test_list_give_withdraw(jwt_client, patient):
    client = jwt_client(patient.user)
    listed = client.get(LIST)
    assert listed.status_code == 200
    assert _state(listed)["state"] == "needs_answer" and _state(listed)["consented"] is False

    given = client.post(_give(), {"version": 1}, format="json")
    assert given.status_code == 200
    assert given.json()["state"] == "given" and given.json()["consented"] is True
    assert given.json()["answered_version"] == 1

    withdrawn = client.post(_withdraw(), {"version": 1}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    assert list(ConsentDecision.objects.values_list("channel", flat=True)) == ["api", "api"]
    assert AuditEvent.objects.filter(action="consent.withdrawn", patient_id=patient.pk).count() == 1


def test_the_list_is_the_callers_own(jwt_client, patient, other_patient):
    jwt_client(other_patient.user).post(_give(), {"version": 1}, format="json")
    assert _state(jwt_client(patient.user).get(LIST))["consented"] is False


@pytest.mark.parametrize(
    ("url", "body", "status", "field"),
    [
        (_withdraw(), {"version": 1}, 400, "decision"),
        (_give(), {"version": 9}, 400, "version"),
        (_give(), {"version": "1"}, 400, "version"),
        (_give(), {"version": 0}, 400, "version"),
        (_give(), {}, 400, "version"),
        (_give(), {"version": 1, "patient_id": 1}, 400, "patient_id"),
        (_give("no-such-purpose"), {"version": 1}, 404, None),
    ],
)
def test_bad_input_is_a_4xx_in_the_error_shape(jwt_client, patient, url, body, status, field):
    response = jwt_client(patient.user).post(url, body, format="json")
    assert response.status_code == status
    payload = response.json()
    assert "error" in payload
    if field:
        assert field in payload["error"]["details"]
    assert not ConsentDecision.objects.exists()


def test_a_stale_version_is_a_400_that_names_the_current_one(jwt_client, patient, compliance_officer):
    consent_version_publish(actor=compliance_officer, purpose=ConsentPurpose.objects.get(key=REMINDERS), text="v2")
    response = jwt_client(patient.user).post(_give(), {"version": 1}, format="json")
    assert response.status_code == 400
    assert "version 2 is current" in response.json()["error"]["details"]["version"][0]


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.DOCTOR, Role.COMPLIANCE, Role.ADMIN])
def test_staff_have_no_consents_here(jwt_client, make_user, role):
    client = jwt_client(make_user(role))
    assert client.get(LIST).status_code == 403
    assert client.post(_give(), {"version": 1}, format="json").status_code == 403
    assert not ConsentDecision.objects.exists()


def test_anonymous_gets_401(client):
    assert client.get(LIST).status_code == 401
