"""End to end, across sign-in paths: a TOTP code accepted at the web code
step cannot be replayed at the API code step (nor the other way round), and a recovery code
used on one path is dead on the other."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.services.mfa import recovery_codes_regenerate
from accounts.tests.helpers import sign_in
from accounts.tests.mfa_helpers import confirmed_device, totp_code
from healthpro.tests.test_api import error_of

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
TOKEN_MFA = "/api/v1/auth/token/mfa/"


def web_code_step(user, password, code):
    client = Client()
    sign_in(client, user.email, password)
    client.post(reverse("accounts:mfa_verify"), {"code": code})
    return client.get(reverse("dashboard")).status_code == 200


def api_code_step(user, password, code):
    client = APIClient()
    mfa_token = client.post(TOKEN, {"email": user.email, "password": password}, format="json").json()["mfa_token"]
    return client.post(TOKEN_MFA, {"mfa_token": mfa_token, "code": code}, format="json")


def test_a_totp_code_used_on_the_web_is_refused_by_the_api(make_user, password):
    doctor = make_user(Role.DOCTOR)
    device = confirmed_device(doctor)
    code = totp_code(device)
    assert web_code_step(doctor, password, code)
    error_of(api_code_step(doctor, password, code), 401)


def test_a_totp_code_used_on_the_api_is_refused_on_the_web(make_user, password):
    doctor = make_user(Role.DOCTOR)
    device = confirmed_device(doctor)
    code = totp_code(device)
    assert api_code_step(doctor, password, code).status_code == 200
    assert not web_code_step(doctor, password, code)


def test_a_recovery_code_works_once_across_paths(make_user, password):
    doctor = make_user(Role.DOCTOR)
    confirmed_device(doctor)
    first, second = recovery_codes_regenerate(actor=doctor)[:2]
    assert api_code_step(doctor, password, first).status_code == 200
    assert not web_code_step(doctor, password, first)
    assert web_code_step(doctor, password, second)
    error_of(api_code_step(doctor, password, second), 401)
