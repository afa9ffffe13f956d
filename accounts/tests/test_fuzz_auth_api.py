"""Hostile bodies on the authentication API: wrong types, 1 MB strings, unicode, null bytes,
missing fields, malformed or non-object JSON. Every answer is a 4xx in the JSON error shape
(never a 5xx), nothing is signed in, and a 1 MB password is never handed to the hasher."""

import json

import pytest
from django.contrib.auth.hashers import make_password
from rest_framework.test import APIClient

from accounts.roles import Role
from healthpro.tests.test_api import error_of
from tests.cache import clear_cache

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
TOKEN_MFA = "/api/v1/auth/token/mfa/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/auth/me/"
SESSIONS = "/api/v1/auth/sessions/"

ONE_MB = "a" * (1024 * 1024)
FIELDS = {
    TOKEN: ("email", "password"),
    TOKEN_MFA: ("mfa_token", "code"),
    REFRESH: ("refresh",),
    LOGOUT: ("refresh", "everywhere"),
}

HOSTILE_VALUES = {
    "null": None,
    "integer": 12345,
    "float": 1e308,
    "boolean": True,
    "list": ["a", "b"],
    "object": {"$ne": ""},
    "empty": "",
    "one_mb": ONE_MB,
    "null_byte": "abc\x00def",
    "unicode": "\u202e\u0645\u0631\u062d\u0628\u0627 \U0001f600 \ufeff\u200b",
    "lone_surrogate_escape": "\ud800",
}

RAW_BODIES = {
    "malformed": b'{"email": "a@b.test", "password": ',
    "array": b'["a@b.test", "password"]',
    "string": b'"a@b.test"',
    "number": b"42",
    "null": b"null",
    "not_utf8": b'{"email": "\xff\xfe", "password": "x"}',
    "nested": b'{"email": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    "nan": b'{"email": "a@b.test", "password": NaN}',
    "one_mb_json": json.dumps({"email": ONE_MB + "@b.test", "password": ONE_MB}).encode(),
}


def _post(client: APIClient, path: str, body: bytes):
    clear_cache()  # every attempt starts under the throttle: this test is about the body
    return client.generic("POST", path, body, content_type="application/json")


@pytest.mark.parametrize("path", list(FIELDS))
@pytest.mark.parametrize("name", list(HOSTILE_VALUES))
def test_a_hostile_value_in_any_field_is_a_4xx_in_the_error_shape(path, name):
    client = APIClient()
    for field in FIELDS[path]:
        body = dict.fromkeys(FIELDS[path], "x")
        body[field] = HOSTILE_VALUES[name]
        response = _post(client, path, json.dumps(body).encode())
        assert 400 <= response.status_code < 500, (field, response.status_code, response.content[:300])
        error_of(response, response.status_code)


@pytest.mark.parametrize("path", list(FIELDS))
@pytest.mark.parametrize("name", list(RAW_BODIES))
def test_a_malformed_or_non_object_body_is_a_400_in_the_error_shape(path, name):
    response = _post(APIClient(), path, RAW_BODIES[name])
    error_of(response, 400)


@pytest.mark.parametrize("path", list(FIELDS))
def test_missing_fields_are_a_400_naming_them(path):
    response = _post(APIClient(), path, b"{}")
    error = error_of(response, 400, "invalid")
    required = {"everywhere"} ^ set(FIELDS[path]) if path == LOGOUT else set(FIELDS[path])
    assert required <= set(error["details"])


def test_a_one_megabyte_password_is_refused_before_the_hasher(make_user, monkeypatch):
    patient = make_user(Role.PATIENT)
    checked = []
    monkeypatch.setattr(
        "django.contrib.auth.hashers.MD5PasswordHasher.verify",
        lambda self, password, encoded: checked.append(len(password)) or False,
    )
    response = _post(APIClient(), TOKEN, json.dumps({"email": patient.email, "password": ONE_MB}).encode())
    error_of(response, 400, "invalid")
    assert checked == []


def test_a_null_byte_in_the_password_of_a_real_account_signs_nobody_in(make_user, password):
    patient = make_user(Role.PATIENT)
    body = json.dumps({"email": patient.email, "password": password + "\x00"}).encode()
    response = _post(APIClient(), TOKEN, body)
    assert response.status_code in (400, 401)
    error_of(response, response.status_code)


def test_a_null_byte_or_unicode_in_the_email_of_a_real_account_signs_nobody_in(make_user, password):
    patient = make_user(Role.PATIENT)
    for email in (patient.email + "\x00", "\x00" + patient.email, patient.email.upper() + "\u0130"):
        response = _post(APIClient(), TOKEN, json.dumps({"email": email, "password": password}).encode())
        assert response.status_code in (400, 401), (email, response.status_code)
        error_of(response, response.status_code)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer a b",
        "Bearer " + "a" * (1024 * 1024),
        "Bearer \x00",
        "Bearer eyJhbGciOiJub25lIn0.e30.",
        "Bearer eyJ\u00e9.e30.x",
        "Basic Zm9vOmJhcg==",
        "Bearer " + make_password("x"),
    ],
    ids=["empty", "space", "two-parts", "one-mb", "null-byte", "alg-none", "non-ascii", "basic", "hash"],
)
@pytest.mark.parametrize("path", [ME, SESSIONS, SESSIONS + "1/"])
def test_a_garbage_authorization_header_is_a_401_in_the_error_shape(path, header):
    client = APIClient()
    clear_cache()
    method = client.delete if path.endswith("1/") else client.get
    response = method(path, HTTP_AUTHORIZATION=header)
    error_of(response, 401)


@pytest.mark.parametrize("session_id", ["abc", "-1", "1.5", "%00", "99999999999999999999999"])
def test_a_non_numeric_or_huge_session_id_is_a_json_4xx(make_user, session_id):
    client = APIClient()
    client.force_authenticate(make_user(Role.PATIENT))
    response = client.delete(f"{SESSIONS}{session_id}/")
    assert response.status_code == 404, response.content[:300]
    error_of(response, 404)


@pytest.mark.parametrize("path", list(FIELDS))
def test_a_body_over_the_upload_limit_is_a_400_not_a_server_error(path, settings):
    body = json.dumps({"email": "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}).encode()
    error = error_of(_post(APIClient(raise_request_exception=False), path, body), 400)
    assert "too large" in error["message"]
