"""The API base: /api/v1/ versioning, deny by default, one JSON error shape, throttles, health."""

import json
import logging
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client, override_settings
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from healthpro import views
from healthpro.tests.views import EXCEPTION_CANARY

pytestmark = [pytest.mark.django_db, pytest.mark.urls("healthpro.tests.urls")]


def error_of(response, status: int, code: str | None = None) -> dict:
    """The response is the one JSON error shape, with this status, and the request's id."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert {"status", "code", "message", "request_id"} <= set(error) <= {*error, "details"}
    assert set(error) - {"status", "code", "message", "request_id", "details"} == set()
    assert error["status"] == status
    assert error["request_id"] == response["X-Request-ID"]
    assert len(error["request_id"]) == 32
    if code is not None:
        assert error["code"] == code
    return error


@pytest.fixture
def signed_in(api_client, user):
    api_client.force_authenticate(user)
    return api_client


# Versioning and routing


def test_health_under_v1(api_client):
    response = api_client.get("/api/v1/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/api/v2/health/", "/api/v0/health/", "/api/health/", "/api/v1/no-such/"])
def test_unknown_version_or_url_is_a_json_404(api_client, path):
    error = error_of(api_client.get(path), 404, "not_found")
    assert error["message"] == "Not found."


@override_settings(DEBUG=True)
def test_unknown_api_url_is_json_even_with_debug_on(api_client):
    """Django's technical 404 page (which lists every URL pattern) never answers under /api/."""
    response = api_client.get("/api/v2/health/")
    error_of(response, 404, "not_found")
    assert b"urlpatterns" not in response.content


def test_unknown_page_outside_the_api_is_the_html_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_request_version_is_v1(api_client):
    assert api_client.get("/api/v1/_test/public/").json() == {"ok": True, "version": "v1"}
    assert api_settings.ALLOWED_VERSIONS == ["v1"]


# Deny by default


def test_view_without_explicit_permissions_refuses_anonymous_with_401(api_client):
    response = api_client.get("/api/v1/_test/default/")
    error = error_of(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert error["message"] == "Authentication credentials were not provided."


def test_view_without_explicit_permissions_admits_a_signed_in_user(signed_in):
    assert signed_in.get("/api/v1/_test/default/").json() == {"ok": True}


def test_invalid_bearer_token_is_a_401(api_client):
    response = api_client.get("/api/v1/_test/default/", HTTP_AUTHORIZATION="Bearer not.a.token")
    error = error_of(response, 401, "token_not_valid")
    assert "not.a.token" not in response.content.decode()
    assert error["message"] == "Authentication credentials were not provided or are not valid."


def test_default_permission_is_authenticated():
    assert settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] == ["rest_framework.permissions.IsAuthenticated"]
    assert settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"][0].endswith("JWTAuthentication")


# One JSON error shape


def test_malformed_json_body_is_a_400(signed_in):
    response = signed_in.post("/api/v1/_test/echo/", data='{"name": "ab', content_type="application/json")
    error_of(response, 400, "parse_error")


def test_validation_error_is_a_400_with_details_per_field(signed_in):
    response = signed_in.post("/api/v1/_test/echo/", {"name": "far too long", "age": "old"}, format="json")
    error = error_of(response, 400, "invalid")
    assert set(error["details"]) == {"name", "age"}
    assert all(isinstance(messages, list) and messages for messages in error["details"].values())


def test_missing_fields_are_listed_in_details(signed_in):
    error = error_of(signed_in.post("/api/v1/_test/echo/", {}, format="json"), 400, "invalid")
    assert error["details"] == {"name": ["This field is required."], "age": ["This field is required."]}


def test_valid_body_is_accepted(signed_in):
    response = signed_in.post("/api/v1/_test/echo/", {"name": "Ann", "age": 40}, format="json")
    assert response.status_code == 200
    assert response.json() == {"name": "Ann", "age": 40}


def test_permission_denied_is_a_403(signed_in):
    error_of(signed_in.get("/api/v1/_test/forbidden/"), 403, "permission_denied")


def test_http404_raised_in_a_view_is_a_json_404_without_its_message(api_client):
    response = api_client.get("/api/v1/_test/missing/")
    error = error_of(response, 404, "not_found")
    assert error["message"] == "Not found."
    assert "Patient 42" not in response.content.decode()
    assert EXCEPTION_CANARY not in response.content.decode()


def test_a_services_django_validation_error_is_a_400_with_its_fields_in_every_app(api_client):
    """The one exception handler (core.api_exceptions) answers it, not each app's base view."""
    error = error_of(api_client.get("/api/v1/_test/refused/"), 400, "invalid")
    assert error["details"] == {"kind": ["Your role may not write this kind of note."]}
    error = error_of(api_client.get("/api/v1/_test/refused/?whole=1"), 400, "invalid")
    assert error["details"] == {"non_field_errors": ["This note is already signed."]}


def test_method_not_allowed_is_a_405(signed_in):
    error_of(signed_in.delete("/api/v1/_test/default/"), 405, "method_not_allowed")


def test_unsupported_media_type_is_a_415(signed_in):
    response = signed_in.post("/api/v1/_test/echo/", data="name=Ann&age=4", content_type="text/plain")
    error_of(response, 415, "unsupported_media_type")


def test_form_encoded_body_is_a_415_too(signed_in):
    """JSON only: no form parser, so no CSRF-able "simple" request body reaches a view."""
    response = signed_in.post("/api/v1/_test/echo/", {"name": "Ann", "age": 4}, format="multipart")
    error_of(response, 415, "unsupported_media_type")


def test_server_error_is_a_500_without_trace_or_exception_text(user, caplog):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    with caplog.at_level(logging.ERROR):
        response = client.get("/api/v1/_test/broken/")
    error = error_of(response, 500, "server_error")
    body = response.content.decode()
    for leak in (EXCEPTION_CANARY, "RuntimeError", "Traceback", "views.py"):
        assert leak not in body
    assert error["message"] == "An internal error occurred. It has been logged."
    assert any(record.exc_info and record.exc_info[0] is RuntimeError for record in caplog.records)


def test_server_error_marks_the_request_transaction_for_rollback(api_client):
    """As DRF does for the errors it handles (with ATOMIC_REQUESTS): a half-done write of a
    request that failed must not be committed."""
    client = APIClient(raise_request_exception=False)
    with mock.patch("core.api_exceptions.set_rollback") as set_rollback:
        response = client.get("/api/v1/_test/broken/")
    assert response.status_code == 500
    set_rollback.assert_called_once()


def test_session_authenticated_post_without_csrf_token_is_refused(user):
    """Item 18: a browser session cannot be ridden by a cross-site POST to the API."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(
        "/api/v1/_test/echo/", data=json.dumps({"name": "Ann", "age": 4}), content_type="application/json"
    )
    error = error_of(response, 403, "permission_denied")
    assert "CSRF" in error["message"]


def test_session_authenticated_post_with_csrf_token_is_accepted(user):
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")  # sets the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    client.force_login(user)
    response = client.post(
        "/api/v1/_test/echo/",
        data=json.dumps({"name": "Ann", "age": 4}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200


# Throttling


@pytest.fixture
def low_rates(monkeypatch):
    """DRF reads the rates once, into a class attribute: patch it there."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "3/min", "auth": "1/min"})


def test_anonymous_requests_beyond_the_rate_are_a_429(api_client, low_rates):
    for _ in range(2):
        assert api_client.get("/api/v1/_test/public/").status_code == 200
    response = api_client.get("/api/v1/_test/public/")
    error = error_of(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= 60
    assert "Request was throttled" in error["message"]


def test_signed_in_requests_beyond_the_rate_are_a_429(signed_in, low_rates):
    for _ in range(3):
        assert signed_in.get("/api/v1/_test/default/").status_code == 200
    response = signed_in.get("/api/v1/_test/default/")
    error_of(response, 429, "throttled")
    assert response.has_header("Retry-After")


def test_throttle_is_per_client_address(low_rates):
    first, second = APIClient(REMOTE_ADDR="198.51.100.1"), APIClient(REMOTE_ADDR="198.51.100.2")
    for _ in range(2):
        first.get("/api/v1/_test/public/")
    assert first.get("/api/v1/_test/public/").status_code == 429
    assert second.get("/api/v1/_test/public/").status_code == 200


def test_a_forged_x_forwarded_for_does_not_escape_the_throttle(api_client, low_rates):
    """With no trusted proxy (the default), X-Forwarded-For is the client's own words."""
    for number in range(2):
        api_client.get("/api/v1/_test/public/", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
    response = api_client.get("/api/v1/_test/public/", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert response.status_code == 429


def test_throttle_counters_are_in_the_shared_cache():
    """Redis in production (REDIS_URL): every worker counts against the same limit."""

    assert len(api_settings.DEFAULT_THROTTLE_CLASSES) == 2
    assert SimpleRateThrottle.cache is cache
    if settings.REDIS_URL:
        assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


# Health


def test_health_is_anonymous_and_not_throttled(api_client, low_rates):
    for _ in range(10):
        response = api_client.get("/api/v1/health/")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}


def test_health_ignores_bad_credentials(api_client):
    response = api_client.get("/api/v1/health/", HTTP_AUTHORIZATION="Bearer not.a.token")
    assert response.status_code == 200


def test_health_is_503_when_the_database_is_down(api_client, monkeypatch, caplog):
    database = mock.Mock()
    database.cursor.side_effect = OperationalError('connection to server at "10.0.0.5" failed: password=hunter2')
    monkeypatch.setattr(views, "connection", database)
    with caplog.at_level(logging.ERROR, logger="healthpro.views"):
        response = api_client.get("/api/v1/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert "10.0.0.5" not in response.content.decode()
    assert any(record.exc_info for record in caplog.records)


def test_health_is_503_when_the_cache_is_down(api_client, monkeypatch):
    broken_cache = mock.Mock()
    broken_cache.set.side_effect = ConnectionError("redis down")
    monkeypatch.setattr(views, "cache", broken_cache)
    assert api_client.get("/api/v1/health/").status_code == 503


# Renderers


def test_no_browsable_api_with_debug_off(signed_in):
    assert "rest_framework.renderers.BrowsableAPIRenderer" not in settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]
    response = signed_in.get("/api/v1/_test/default/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"ok": True}


def test_browser_accept_header_gets_json(api_client):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = api_client.get("/api/v1/_test/default/", HTTP_ACCEPT=accept)
    error_of(response, 401, "not_authenticated")


def test_html_accept_on_an_error_gets_json(api_client):
    error_of(api_client.get("/api/v1/_test/default/", HTTP_ACCEPT="text/html"), 401, "not_authenticated")


def test_health_with_html_accept_gets_json(api_client):
    response = api_client.get("/api/v1/health/", HTTP_ACCEPT="text/html")
    assert response.json() == {"status": "ok"}


def test_unknown_format_query_is_a_404(signed_in):
    error_of(signed_in.get("/api/v1/_test/default/?format=api"), 404)
