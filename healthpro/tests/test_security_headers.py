"""Security headers on every response, error responses included; HTTPS; cookies; no-store."""

import pytest
from django.conf import settings
from django.test import Client, override_settings
from rest_framework_simplejwt.tokens import AccessToken

from healthpro.tests.startup import production_env, run_django
from healthpro.tests.views import EXCEPTION_CANARY

pytestmark = [pytest.mark.django_db, pytest.mark.urls("healthpro.tests.urls")]

REQUIRED_CSP = {
    "default-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
}


def parse_csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_security_headers(response):
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    directives = parse_csp(csp)
    for name, value in REQUIRED_CSP.items():
        assert directives.get(name) == value, (name, csp)
    for directive in ("script-src", "style-src"):
        assert directives[directive] == ["'self'"]
    assert not response.has_header("Content-Security-Policy-Report-Only")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response.has_header("Permissions-Policy")
    assert response.has_header("X-Request-ID")


@pytest.fixture
def error_client():
    """Answers exceptions with the 500 handler, as production does, instead of raising them."""
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/accounts/login/", 200),
        ("/api/v1/health/", 200),
        ("/static/css/app.css", 200),
        ("/no-such-page/", 404),
        ("/api/v1/no-such-endpoint/", 404),
        ("/api/v2/health/", 404),
        ("/api/v1/_test/default/", 401),
        ("/api/v1/_test/missing/", 404),
        ("/api/v1/_test/broken/", 500),
        ("/_test/broken/", 500),
        ("/", 302),
    ],
)
def test_every_response_carries_the_security_headers(error_client, path, status):
    response = error_client.get(path)
    assert response.status_code == status
    assert_security_headers(response)


def test_bad_host_answer_carries_the_security_headers(error_client):
    response = error_client.get("/accounts/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert_security_headers(response)


def test_csrf_failure_page_carries_the_security_headers():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "a@example.test", "password": "x"})
    assert response.status_code == 403
    assert b"Error 403" in response.content
    assert_security_headers(response)


def test_cors_preflight_carries_the_security_headers(client):
    response = client.options(
        "/api/v1/health/", HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert_security_headers(response)


def test_500_page_says_nothing_of_the_cause(error_client):
    response = error_client.get("/_test/broken/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Error 500" in body
    for leak in (EXCEPTION_CANARY, "RuntimeError", "Traceback", "broken_page"):
        assert leak not in body


def test_500_page_renders_even_when_its_template_fails(error_client, monkeypatch):
    """The last line of defence must not raise itself (it would leave the WSGI server's page)."""

    def broken_render(*args, **kwargs):
        raise RuntimeError("template broke")

    monkeypatch.setattr("healthpro.views.loader.render_to_string", broken_render)
    response = error_client.get("/_test/broken/")
    assert response.status_code == 500
    assert b"Error 500" in response.content
    assert_security_headers(response)


def test_only_one_csp_middleware():
    csp_middleware = [name for name in settings.MIDDLEWARE if "csp" in name.lower()]
    assert csp_middleware == ["csp.middleware.CSPMiddleware"]


def test_hsts_on_secure_requests(client):
    response = client.get("/accounts/login/", secure=True)
    hsts = response["Strict-Transport-Security"]
    parts = [part.strip() for part in hsts.split(";")]
    max_age = int(parts[0].removeprefix("max-age="))
    assert max_age >= 31536000
    assert "includeSubDomains" in parts
    assert "preload" in parts


def test_hsts_on_secure_error_responses(client):
    assert client.get("/no-such-page/", secure=True).has_header("Strict-Transport-Security")
    assert client.get("/api/v1/no-such-endpoint/", secure=True).has_header("Strict-Transport-Security")


def test_no_hsts_over_plain_http(client):
    """Browsers ignore HSTS over HTTP; sending it there would only mislead a reader."""
    assert not client.get("/accounts/login/").has_header("Strict-Transport-Security")


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_redirects_to_https():
    # A new Client under override_settings: SecurityMiddleware reads the setting at start-up.
    response = Client().get("/accounts/login/?next=/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/?next=/"
    # Answered by SecurityMiddleware itself, the first in line: only its own headers, which is
    # all an empty redirect needs.
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@override_settings(SECURE_SSL_REDIRECT=True)
def test_api_over_plain_http_redirects_to_https_too():
    assert Client().get("/api/v1/_test/default/")["Location"].startswith("https://")


@override_settings(SECURE_SSL_REDIRECT=True)
def test_https_request_is_not_redirected():
    assert Client().get("/accounts/login/", secure=True).status_code == 200


@override_settings(SECURE_SSL_REDIRECT=True)
def test_health_check_is_not_redirected():
    """Load balancers probe the app over plain HTTP behind the TLS terminator."""
    response = Client().get("/api/v1/health/")
    assert response.status_code == 200


def test_https_redirect_is_on_in_production_settings():
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECURE_SSL_REDIRECT)"
    result = run_django(code, production_env())
    assert result.stdout.strip() == "True", result.stderr


def test_session_cookie_is_host_prefixed_secure_httponly_samesite(client):
    response = client.get("/_test/session/", secure=True)
    cookie = response.cookies["__Host-sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert not cookie["domain"]  # __Host- forbids Domain
    assert "sessionid" not in response.cookies


def test_csrf_cookie_is_host_prefixed_and_secure(client):
    response = client.get("/accounts/login/", secure=True)
    cookie = response.cookies["__Host-csrftoken"]
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert not cookie["domain"]
    assert "csrftoken" not in response.cookies


def assert_no_store(response):
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives


def test_no_store_on_pages_for_a_signed_in_user(client, user):
    client.force_login(user)
    response = client.get("/_test/authenticated/")
    assert response.content == b"signed in: True"
    assert_no_store(response)


def test_no_store_on_error_pages_for_a_signed_in_user(client, user):
    client.force_login(user)
    assert_no_store(client.get("/no-such-page/"))


def test_no_store_on_api_with_session(client, user):
    client.force_login(user)
    response = client.get("/api/v1/_test/default/")
    assert response.status_code == 200
    assert_no_store(response)


def test_no_store_on_api_with_bearer_token(client, user):
    token = AccessToken.for_user(user)
    response = client.get("/api/v1/_test/default/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert_no_store(response)


def test_no_store_whenever_an_authorization_header_is_sent(client):
    """Even when the credentials are refused: the answer may still be about that token."""
    response = client.get("/api/v1/_test/default/", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401
    assert_no_store(response)


def test_anonymous_page_is_not_forced_to_no_store(client):
    response = client.get("/api/v1/health/")
    assert "no-store" not in response.get("Cache-Control", "")
