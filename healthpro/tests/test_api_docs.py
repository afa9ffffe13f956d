"""The OpenAPI schema and Swagger UI: signed-in only with DEBUG off, local assets, no inline
script, a valid OpenAPI 3 document with JWT bearer security and the documented error shape."""

import re

import jsonschema
import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_schema_refuses_anonymous_with_401(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response.json()["error"]["request_id"] == response["X-Request-ID"]


def test_docs_page_sends_anonymous_to_login(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/v1/docs/"


def test_docs_init_script_refuses_anonymous(client):
    response = client.get("/api/v1/docs/?script=")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_schema_for_a_signed_in_user(client, user):
    client.force_login(user)
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/health/" in schema["paths"]


def test_schema_as_json(client, user):
    client.force_login(user)
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "HealthPro API"


@override_settings(API_DOCS_PUBLIC=True)
def test_docs_are_public_only_when_configured(client):
    """API_DOCS_PUBLIC follows DEBUG: public while developing, never in production."""
    assert client.get("/api/v1/schema/").status_code == 200


def test_docs_are_not_public_in_the_test_settings():
    assert settings.API_DOCS_PUBLIC is False


@pytest.fixture
def docs_page(client, user):
    client.force_login(user)
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def test_swagger_ui_has_no_inline_script_or_style(docs_page):
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", docs_page, flags=re.S)
    assert len(scripts) == 3
    for attributes, body in scripts:
        assert 'src="' in attributes
        assert body.strip() == ""
    assert "<style" not in docs_page
    assert " style=" not in docs_page
    assert not re.search(r"\son[a-z]+=", docs_page)  # no inline event handlers


def test_swagger_ui_loads_only_local_assets(client, docs_page):
    urls = re.findall(r'(?:src|href)="([^"]+)"', docs_page)
    assert len(urls) == 5  # favicon, css, two bundles, init script
    for url in urls:
        assert url.startswith(("/static/", "/api/v1/docs/?")), url
        assert "//" not in url
    for url in urls:
        if url.startswith("/static/"):
            assert client.get(url).status_code == 200, url


def test_swagger_ui_init_script_is_javascript(client, user):
    client.force_login(user)
    response = client.get("/api/v1/docs/?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in response.content
    assert b"/api/v1/schema/" in response.content


def test_swagger_ui_escapes_the_query(client, user):
    client.force_login(user)
    response = client.get('/api/v1/docs/?lang="><script>alert(1)</script>')
    assert b"<script>alert(1)" not in response.content


def test_schema_validates_as_openapi_3(tmp_path):
    """drf-spectacular's own validation, warnings as failures (what CI's lint would run)."""
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    validate_schema(yaml.safe_load(target.read_text()))


def test_schema_declares_jwt_bearer_security():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert schema["components"]["securitySchemes"]["jwtAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }


@pytest.fixture
def test_schema():
    """The schema of the project with the test-only views: operations on the project defaults."""
    schema = SchemaGenerator(urlconf="healthpro.tests.urls").get_schema(request=None, public=True)
    validate_schema(schema)
    return schema


def test_error_response_component_matches_the_error_shape(test_schema):
    components = test_schema["components"]["schemas"]
    assert components["ErrorResponse"]["required"] == ["error"]
    error = components["ErrorResponse"]["properties"]["error"]["$ref"].rsplit("/", 1)[-1]
    assert set(components[error]["properties"]) == {"status", "code", "message", "request_id", "details"}
    assert set(components[error]["required"]) == {"status", "code", "message", "request_id"}


ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}


def test_default_operation_declares_the_error_responses(test_schema):
    operation = test_schema["paths"]["/api/v1/_test/default/"]["get"]
    assert {"jwtAuth": []} in operation["security"]
    for status in ("400", "401", "403", "404", "429"):
        assert operation["responses"][status]["content"]["application/json"]["schema"] == ERROR_REF, status
    assert "Retry-After" in operation["responses"]["429"]["headers"]


def test_public_unthrottled_operation_declares_no_401_403_or_429(test_schema):
    operation = test_schema["paths"]["/api/v1/health/"]["get"]
    assert "security" not in operation
    assert set(operation["responses"]) == {"200", "503", "400", "404"}


def test_error_responses_match_the_schema(client, user, test_schema):
    """A real 401 and 404 validate against the ErrorResponse component."""

    components = test_schema["components"]["schemas"]
    resolver_schema = {"$ref": "#/components/schemas/ErrorResponse", "components": {"schemas": components}}
    for path in ("/api/v1/schema/", "/api/v2/health/"):
        body = client.get(path).json()
        jsonschema.validate(body, resolver_schema)
