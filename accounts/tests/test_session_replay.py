"""From the attacker's side: a CSRF token or session cookie captured
before a sign-in step is worthless after it, and a session cookie kept from before a sign-out,
a password change or a deactivation opens nothing when replayed, on pages or the API."""

import pytest
from django.conf import settings
from django.middleware.csrf import CSRF_SESSION_KEY, _unmask_cipher_token
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from accounts.services.users import user_set_active
from accounts.tests.helpers import sign_in
from accounts.tests.mfa_helpers import confirmed_device, totp_code

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("dashboard")
ME = "/api/v1/auth/me/"


def csrf_secret(client) -> str:
    if settings.CSRF_USE_SESSIONS:
        return client.session[CSRF_SESSION_KEY]
    value = client.cookies[settings.CSRF_COOKIE_NAME].value
    return value if len(value) == 32 else _unmask_cipher_token(value)


def replay(cookie_value: str) -> Client:
    """Another browser holding a copy of the captured session cookie."""
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = cookie_value
    return attacker


def assert_cookie_opens_nothing(cookie_value: str):
    attacker = replay(cookie_value)
    assert attacker.get(DASHBOARD).status_code == 302
    assert attacker.get(reverse("accounts:profile")).status_code == 302
    assert attacker.get(ME).status_code == 401


def test_the_csrf_token_rotates_at_the_password_step(make_user, password):
    patient = make_user(Role.PATIENT)
    client = Client()
    client.get(reverse("accounts:login"))
    before = csrf_secret(client)
    assert sign_in(client, patient.email, password).status_code == 302
    client.get(DASHBOARD)
    assert csrf_secret(client) != before


def test_the_session_key_and_csrf_token_rotate_again_at_the_code_step(make_user, password):
    doctor = make_user(Role.DOCTOR)
    device = confirmed_device(doctor)
    client = Client()
    sign_in(client, doctor.email, password)
    client.get(reverse("accounts:mfa_verify"))
    half_signed_in_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    half_signed_in_csrf = csrf_secret(client)

    response = client.post(reverse("accounts:mfa_verify"), {"code": totp_code(device)})
    assert response.status_code == 302
    assert client.get(DASHBOARD).status_code == 200

    assert client.cookies[settings.SESSION_COOKIE_NAME].value != half_signed_in_key
    assert csrf_secret(client) != half_signed_in_csrf
    assert replay(half_signed_in_key).get(DASHBOARD).status_code == 302, "the old key opens nothing"


def test_a_session_cookie_kept_from_before_sign_out_opens_nothing(make_user, password):
    patient = make_user(Role.PATIENT)
    client = Client()
    sign_in(client, patient.email, password)
    captured = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert replay(captured).get(DASHBOARD).status_code == 200, "the copy works while the session lives"
    client.post(reverse("accounts:logout"))
    assert_cookie_opens_nothing(captured)


def test_a_session_cookie_kept_from_before_a_password_change_opens_nothing(make_user, password):
    patient = make_user(Role.PATIENT)
    victim, elsewhere = Client(), Client()
    sign_in(elsewhere, patient.email, password)
    captured = elsewhere.cookies[settings.SESSION_COOKIE_NAME].value
    sign_in(victim, patient.email, password)
    new_password = "Fresh-Lantern-Rope-42"
    response = victim.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert victim.get(DASHBOARD).status_code == 200, "the browser that changed it stays signed in"
    assert_cookie_opens_nothing(captured)


def test_a_session_cookie_of_a_deactivated_account_opens_nothing(make_user, password):
    patient = make_user(Role.PATIENT)
    client = Client()
    sign_in(client, patient.email, password)
    captured = client.cookies[settings.SESSION_COOKIE_NAME].value
    user_set_active(actor=None, user=patient, active=False)
    assert_cookie_opens_nothing(captured)
