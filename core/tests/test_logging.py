"""Logs: JSON lines with the request id; no secret, token or exception text in them (item 26)."""

import io
import json
import logging
import sys

import pytest
from django.conf import settings
from django.test import Client

from core.logging import JsonFormatter, RequestContextFilter, TextFormatter, redact
from core.request_context import RequestContext, _current
from healthpro.tests.views import EXCEPTION_CANARY

JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjo0Mn0.c2lnbmF0dXJlLWNhbmFyeQ"


def make_record(message, *args, level=logging.INFO, exc_info=None, name="healthpro.test"):
    record = logging.LogRecord(name, level, __file__, 10, message, args, exc_info)
    RequestContextFilter().filter(record)
    return record


def json_line(record) -> dict:
    line = JsonFormatter().format(record)
    assert "\n" not in line
    return json.loads(line)


def test_json_line_has_time_level_logger_message_request_id():
    entry = json_line(make_record("patient chart opened for %s", "a record"))
    assert set(entry) == {"time", "level", "logger", "message", "request_id"}
    assert entry["level"] == "INFO"
    assert entry["logger"] == "healthpro.test"
    assert entry["message"] == "patient chart opened for a record"
    assert entry["time"].endswith("+00:00")  # UTC
    assert entry["request_id"] is None  # outside a request


def test_json_line_carries_the_current_request_id():
    token = _current.set(RequestContext(request_id="abc123", client_ip="203.0.113.9", user_agent="test"))
    try:
        entry = json_line(make_record("inside a request"))
    finally:
        _current.reset(token)
    assert entry["request_id"] == "abc123"


def test_production_logs_are_json_through_the_filter():
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["request_context"]


def test_django_logger_has_no_handler_of_its_own():
    """Not Django's unformatted console handler, nor mail_admins (a traceback by e-mail)."""
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django").propagate is True
    assert logging.getLogger("django.request").handlers == []


@pytest.fixture
def console_output():
    """The stream of the configured console handler (settings.LOGGING), captured."""
    handler = next(h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def lines_of(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


@pytest.mark.django_db
@pytest.mark.urls("healthpro.tests.urls")
def test_log_line_during_a_request_carries_its_request_id(console_output, user):
    client = Client()
    client.force_login(user)
    response = client.get("/api/v1/_test/default/")
    assert response.status_code == 200
    entries = [entry for entry in lines_of(console_output) if entry["message"] == "default api answered"]
    assert len(entries) == 1
    assert entries[0]["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/patients/no-such-page/", "/api/v1/patients/"])
def test_djangos_own_request_lines_carry_the_request_id(console_output, path):
    """Django writes a 4xx line (`django.request`) once the middleware has returned: it still
    names the request it belongs to."""
    response = Client().get(path)
    assert response.status_code in (401, 404)
    entries = [entry for entry in lines_of(console_output) if entry["logger"] == "django.request"]
    assert entries, console_output.getvalue()
    assert {entry["request_id"] for entry in entries} == {response["X-Request-ID"]}


@pytest.mark.django_db
@pytest.mark.urls("healthpro.tests.urls")
def test_server_error_log_has_type_and_stack_but_not_the_exception_text(console_output):
    response = Client(raise_request_exception=False).get("/_test/broken/")
    assert response.status_code == 500
    output = console_output.getvalue()
    assert EXCEPTION_CANARY not in output
    assert "jane.doe@example.test" not in output
    errors = [entry for entry in lines_of(console_output) if entry.get("exception")]
    assert errors, output
    assert errors[0]["exception"] == "RuntimeError"
    assert any("broken_page" in frame for frame in errors[0]["stack"])
    assert errors[0]["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
@pytest.mark.urls("healthpro.tests.urls")
def test_api_server_error_log_has_not_the_exception_text(console_output):
    response = Client(raise_request_exception=False).get("/api/v1/_test/broken/")
    assert response.status_code == 500
    assert EXCEPTION_CANARY not in console_output.getvalue()
    assert any(entry.get("exception") == "RuntimeError" for entry in lines_of(console_output))


@pytest.mark.parametrize(
    ("message", "secret"),
    [
        ("login failed password=hunter2-canary for user", "hunter2-canary"),
        ("form data: new_password=hunter2-canary&next=/", "hunter2-canary"),
        ('payload {"password": "hunter2 canary"}', "hunter2 canary"),
        ("payload {'old_password': 'hunter2-canary'}", "hunter2-canary"),
        ("Authorization: Bearer abc", "abc"),
        ("Authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy"),
        ("headers {'HTTP_AUTHORIZATION': 'Bearer opaque-canary'}", "opaque-canary"),
        (f"token in a URL /reset?t={JWT}", JWT),
        (f"refresh={JWT}", JWT),
        (f"raw {JWT} here", "c2lnbmF0dXJlLWNhbmFyeQ"),
        ("SECRET_KEY=django-canary-value", "django-canary-value"),
        ("otp_code: 123456", "123456"),
        ("code=654321", "654321"),
        ("Cookie: __Host-sessionid=sess-canary; __Host-csrftoken=csrf-canary", "sess-canary"),
        ("Cookie: __Host-sessionid=sess-canary; __Host-csrftoken=csrf-canary", "csrf-canary"),
        ("access_token=at-canary refresh_token=rt-canary", "rt-canary"),
    ],
)
def test_secrets_are_redacted(message, secret):
    assert secret not in redact(message)
    assert secret not in json_line(make_record(message))["message"]
    assert secret not in TextFormatter().format(make_record(message))


def test_secrets_in_arguments_are_redacted():
    entry = json_line(make_record("user data %s", {"email": "a@b.test", "password": "hunter2-canary"}))
    assert "hunter2-canary" not in entry["message"]
    assert "a@b.test" in entry["message"]


def test_plain_text_is_left_alone():
    text = "GET /api/v1/health/ status_code=200 in 3 ms"
    assert redact(text) == text


def exc_info_with(message):
    try:
        raise ValueError(message)
    except ValueError:
        return sys.exc_info()


def test_exception_text_is_not_written_in_json_mode():
    """Database errors quote the failing values (an e-mail, a name): type and stack only."""
    entry = json_line(make_record("query failed", level=logging.ERROR, exc_info=exc_info_with(EXCEPTION_CANARY)))
    assert entry["exception"] == "ValueError"
    assert entry["stack"] and all(":" in frame for frame in entry["stack"])
    assert EXCEPTION_CANARY not in json.dumps(entry)


def test_exception_text_is_not_written_in_text_mode():
    line = TextFormatter().format(make_record("failed", level=logging.ERROR, exc_info=exc_info_with(EXCEPTION_CANARY)))
    assert "ValueError" in line
    assert EXCEPTION_CANARY not in line


def test_text_mode_cannot_forge_a_log_line():
    line = TextFormatter().format(make_record("name=%s", "x\n2026-01-01 00:00:00 INFO forged"))
    assert "\n" not in line
