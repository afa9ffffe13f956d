"""On the answers of the account paths that other tests do not reach: the
lockout (page and API, answered by django-axes' middleware), the throttle, a malformed body, a
wrong method, the code step and the enrolment page (QR code as a data: URI). Each carries the
full set of security headers and, for a signed-in or half-signed-in user, no-store."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.helpers import sign_in
from accounts.tests.mfa_helpers import confirmed_device
from healthpro.tests.test_security_headers import assert_security_headers

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def test_the_page_lockout_answer_carries_the_headers(make_user):
    nurse = make_user(Role.NURSE)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("accounts:login"), {"username": nurse.email, "password": "Wrong-Pass-1234"})
    assert response.status_code == 429
    assert_security_headers(response)


def test_the_api_lockout_and_throttle_answers_carry_the_headers(make_user):
    patient = make_user(Role.PATIENT)
    client = APIClient()
    statuses = []
    for _ in range(11):
        response = client.post(TOKEN, {"email": patient.email, "password": "Wrong-Pass-1234"}, format="json")
        statuses.append(response.status_code)
        assert_security_headers(response)
    assert 429 in statuses


@pytest.mark.parametrize(
    ("method", "body", "status"),
    [("post", b"{not json", 400), ("get", None, 405), ("put", b"{}", 405)],
)
def test_malformed_and_wrong_method_answers_of_the_auth_api_carry_the_headers(method, body, status):
    client = APIClient()
    kwargs = {"content_type": "application/json"} if body is not None else {}
    response = client.generic(method.upper(), TOKEN, body or b"", **kwargs)
    assert response.status_code == status
    assert_security_headers(response)


def test_the_code_step_and_enrolment_pages_carry_the_headers_and_no_store(make_user, password):
    doctor = make_user(Role.DOCTOR)
    confirmed_device(doctor)
    client = Client()
    sign_in(client, doctor.email, password)
    response = client.get(reverse("accounts:mfa_verify"))
    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" in response["Cache-Control"]

    nurse = make_user(Role.NURSE)
    client = Client()
    sign_in(client, nurse.email, password)
    response = client.get(reverse("accounts:mfa_setup"))
    assert response.status_code == 200
    assert_security_headers(response)
    assert "no-store" in response["Cache-Control"]


def test_every_answer_carrying_a_token_is_no_store(make_user, password):
    """RFC 6749 5.1: token answers must not be stored, though the request carries no credentials."""
    patient, doctor = make_user(Role.PATIENT), make_user(Role.DOCTOR)
    confirmed_device(doctor)
    client = APIClient()
    pair = client.post(TOKEN, {"email": patient.email, "password": password}, format="json")
    refreshed = client.post("/api/v1/auth/token/refresh/", {"refresh": pair.json()["refresh"]}, format="json")
    challenge = client.post(TOKEN, {"email": doctor.email, "password": password}, format="json")
    for response in (pair, refreshed, challenge):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
