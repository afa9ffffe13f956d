"""A part that is down (the shared cache, the database): sign-in fails closed with a 503 and a clear
message on pages and API, never a 500; the log names the part; the health endpoint says 503."""

from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client
from redis.exceptions import ConnectionError as RedisConnectionError

from core.outages import unavailable_part

pytestmark = pytest.mark.django_db

# Nothing listens on the discard port: every cache call is refused, as when Redis is down.
DEAD_REDIS = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
}


@pytest.fixture
def cache_down(settings):
    settings.CACHES = DEAD_REDIS


@pytest.fixture
def database_down():
    with mock.patch.object(connection, "ensure_connection", side_effect=OperationalError("connection refused")):
        yield


def assert_page_503(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "temporarily unavailable" in body
    assert "Traceback" not in body
    assert "sessionid" not in response.cookies and "__Host-sessionid" not in response.cookies


def assert_api_503(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    error = response.json()["error"]
    assert error["code"] == "service_unavailable"
    assert error["message"] == "The service is temporarily unavailable. Try again in a moment."


@pytest.mark.parametrize("outage", ["cache_down", "database_down"])
def test_sign_in_fails_closed_with_a_503_on_the_page_and_the_api(request, user, password, outage, caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level("ERROR", logger="healthpro.outages"):
        request.getfixturevalue(outage)
        page = client.post("/accounts/login/", {"username": user.email, "password": password})
        api = client.post(
            "/api/v1/auth/token/", {"email": user.email, "password": password}, content_type="application/json"
        )
        health = client.get("/api/v1/health/")
    assert_page_503(page)
    assert_api_503(api)
    assert health.status_code == 503
    part = "cache" if outage == "cache_down" else "database"
    named = [
        record for record in caplog.records if record.getMessage() == f"Service unavailable: the {part} does not answer"
    ]
    assert len(named) == 2


def test_only_an_outage_of_a_part_is_one():
    assert unavailable_part(RuntimeError("a bug")) is None
    assert unavailable_part(ValueError("bad input")) is None
    assert unavailable_part(RedisConnectionError("refused")) == "cache"
    assert unavailable_part(OperationalError("server closed the connection")) == "database"
    try:
        try:
            raise RedisConnectionError("refused")
        except RedisConnectionError as cause:
            raise RuntimeError("a library wrapped it") from cause
    except RuntimeError as wrapped:
        assert unavailable_part(wrapped) == "cache"


@pytest.mark.urls("healthpro.tests.urls")
def test_a_bug_is_still_a_500_on_pages_and_api():
    client = Client(raise_request_exception=False)
    assert client.get("/_test/broken/").status_code == 500
    assert client.get("/api/v1/_test/broken/").status_code == 500
