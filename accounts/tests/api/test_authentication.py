"""A browser session that has passed the password but not the second factor owes the code step:
on pages it reaches only the MFA pages (accounts.middleware), and through the API's session
authentication it must reach nothing either. Otherwise a stolen password alone would list the
victim's sessions (devices and IP addresses), sign them out, and read the account (ASVS
6.3.4)."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import UserSession
from accounts.roles import Role
from accounts.tests.helpers import sign_in
from accounts.tests.mfa_helpers import confirmed_device, totp_code
from healthpro.tests.test_api import error_of

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me/"
SESSIONS = "/api/v1/auth/sessions/"
SCHEMA = "/api/v1/schema/"


def half_signed_in(user, password) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("accounts:login"))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    client.post(reverse("accounts:login"), {"username": user.email, "password": password, "csrfmiddlewaretoken": token})
    assert "_auth_user_id" in client.session
    return client


def csrf_header(client) -> dict:
    client.get(reverse("accounts:mfa_verify"))
    return {"HTTP_X_CSRFTOKEN": client.cookies[settings.CSRF_COOKIE_NAME].value}


@pytest.mark.parametrize("role", [Role.DOCTOR, Role.ADMIN, Role.PATIENT])
def test_a_session_stopped_at_the_password_reaches_no_api_endpoint(role, make_user, password):
    victim = make_user(role)
    device = confirmed_device(victim)  # staff must have one; this patient opted in
    victims_browser = Client()
    sign_in(victims_browser, victim.email, password)
    victims_browser.post(reverse("accounts:mfa_verify"), {"code": totp_code(device)})
    victims_session = UserSession.objects.filter(user=victim).order_by("pk").first()

    attacker = half_signed_in(victim, password)
    for path in (ME, SESSIONS, SCHEMA):
        error_of(attacker.get(path), 403, "second_factor_required")
    response = attacker.delete(f"{SESSIONS}{victims_session.pk}/", **csrf_header(attacker))
    error_of(response, 403, "second_factor_required")
    victims_session.refresh_from_db()
    assert victims_session.ended_at is None, "the victim's session is still open"


def test_a_staff_session_without_an_authenticator_reaches_no_api_endpoint(make_user, password):
    nurse = make_user(Role.NURSE)
    attacker = half_signed_in(nurse, password)
    error_of(attacker.get(ME), 403, "second_factor_required")
    error_of(attacker.get(SESSIONS), 403, "second_factor_required")


def test_after_the_code_step_the_session_reaches_the_api(make_user, password):
    doctor = make_user(Role.DOCTOR)
    device = confirmed_device(doctor)
    client = half_signed_in(doctor, password)
    response = client.post(reverse("accounts:mfa_verify"), {"code": totp_code(device)}, **csrf_header(client))
    assert response.status_code == 302
    me = client.get(ME)
    assert me.status_code == 200
    assert me.json()["mfa_verified"] is True
    assert client.get(SESSIONS).status_code == 200


def test_a_patient_without_an_authenticator_uses_the_api_with_the_password_alone(make_user, password):
    patient = make_user(Role.PATIENT)
    client = half_signed_in(patient, password)
    assert client.get(ME).status_code == 200
    assert client.get(SESSIONS).status_code == 200
