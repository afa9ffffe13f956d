"""CORS (django-cors-headers): only listed origins, only under /api/, no wildcard, no cookies."""

import pytest
from corsheaders.checks import check_settings
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db

ALLOWED = "https://app.healthpro.example.org"


def preflight(client, path="/api/v1/health/", origin=ALLOWED, method="GET"):
    return client.options(path, HTTP_ORIGIN=origin, HTTP_ACCESS_CONTROL_REQUEST_METHOD=method)


def test_no_origin_is_allowed_by_default(client):
    assert settings.CORS_ALLOWED_ORIGINS == []
    assert settings.CORS_ALLOW_ALL_ORIGINS is False
    assert settings.CORS_ALLOW_CREDENTIALS is False
    assert not preflight(client).has_header("Access-Control-Allow-Origin")


@override_settings(CORS_ALLOWED_ORIGINS=[ALLOWED])
def test_listed_origin_gets_the_preflight_answer(client):
    response = preflight(client, method="POST")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert not response.has_header("Access-Control-Allow-Credentials")


@override_settings(CORS_ALLOWED_ORIGINS=[ALLOWED])
def test_listed_origin_gets_the_header_on_the_actual_request(client):
    response = client.get("/api/v1/health/", HTTP_ORIGIN=ALLOWED)
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    assert "origin" in response["Vary"].lower()


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://app.healthpro.example.org",  # same host, plain HTTP
        "https://app.healthpro.example.org.evil.example",  # suffix trick
        "https://evil-app.healthpro.example.org",
        "null",  # sandboxed iframes, file: pages
    ],
)
@override_settings(CORS_ALLOWED_ORIGINS=[ALLOWED])
def test_unlisted_origin_gets_no_cors_header(client, origin):
    response = preflight(client, origin=origin)
    assert not response.has_header("Access-Control-Allow-Origin")
    assert client.get("/api/v1/health/", HTTP_ORIGIN=origin).get("Access-Control-Allow-Origin") is None


@override_settings(CORS_ALLOWED_ORIGINS=[ALLOWED])
def test_cors_applies_only_under_api(client):
    response = preflight(client, path="/accounts/login/")
    assert not response.has_header("Access-Control-Allow-Origin")


@override_settings(CORS_ALLOWED_ORIGINS=[ALLOWED])
def test_never_a_wildcard(client):
    response = client.get("/api/v1/health/", HTTP_ORIGIN=ALLOWED)
    assert response["Access-Control-Allow-Origin"] != "*"


@override_settings(CORS_ALLOWED_ORIGINS=["*"])
def test_a_wildcard_in_the_list_is_a_configuration_error():
    assert [error.id for error in check_settings()] == ["corsheaders.E013"]


@override_settings(CORS_ALLOWED_ORIGINS=[ALLOWED], CORS_ALLOW_CREDENTIALS=True)
def test_credentials_only_when_configured(client):
    response = preflight(client)
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    assert response["Access-Control-Allow-Credentials"] == "true"


def test_static_files_carry_no_cors_header(client):
    """Whitenoise answers `Access-Control-Allow-Origin: *` on static files unless told not to."""
    response = client.get("/static/css/app.css", HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 200
    assert not response.has_header("Access-Control-Allow-Origin")
    assert settings.WHITENOISE_ALLOW_ALL_ORIGINS is False
