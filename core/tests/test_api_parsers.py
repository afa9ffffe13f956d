"""The API's JSON parser: what the decoder accepts but the API cannot answer about is a 400 at once."""

import pytest
from rest_framework.test import APIClient

pytestmark = [pytest.mark.django_db, pytest.mark.urls("healthpro.tests.urls")]

LONE_SURROGATE_BODIES = [
    '{"\\ud800": 1}',  # an unknown key, which the error message would echo
    '{"name": "\\ud800", "age": 3}',  # a value
    '{"name": "Ann", "age": 3, "tags": ["ok", {"\\udfff": "x"}]}',  # deep inside
    '["\\ud83d"]',  # half of an emoji's pair
]


@pytest.fixture
def signed_in(user):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize("body", LONE_SURROGATE_BODIES)
def test_a_lone_utf16_surrogate_is_a_400_in_every_mode(signed_in, settings, body, debug):
    """A JSON escape may spell half of a surrogate pair; no UTF-8 can encode it, so echoing it in
    the 400 (or in Django's debug page) raised UnicodeEncodeError: a 500."""
    settings.DEBUG = debug
    response = signed_in.post("/api/v1/_test/echo/", data=body, content_type="application/json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "parse_error"
    assert "surrogate" in error["message"]


def test_a_whole_surrogate_pair_is_an_ordinary_character(signed_in):
    response = signed_in.post(
        "/api/v1/_test/echo/", data='{"name": "Ann \\ud83d\\ude00", "age": 3}', content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Ann \U0001f600"


def test_a_deeply_nested_body_is_still_a_400(signed_in):
    response = signed_in.post(
        "/api/v1/_test/echo/", data="[" * 100_000 + "]" * 100_000, content_type="application/json"
    )
    assert response.status_code == 400
