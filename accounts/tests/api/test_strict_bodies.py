"""The authentication API is as strict as its schema, and the schema says exactly what it does:
unknown fields and values of another JSON type are 400 field errors (never coerced, never
ignored), `additionalProperties: false` and `format: email` are declared, and every status an
operation answers is documented, with Retry-After on 429 and 503."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.services.tokens import token_pair_issue
from accounts.tests.test_login_same_work import hashing_calls
from core.openapi import NO_NUL_PATTERN
from healthpro.tests.test_api import error_of

pytestmark = pytest.mark.django_db

AUTH = "/api/v1/auth/"
NOT_STRINGS = (0, 1.5, True, None, ["a"], {"a": "b"})


@pytest.fixture
def patient(make_user):
    return make_user(Role.PATIENT)


@pytest.fixture
def bodies(patient, password):
    """A valid body for each operation that takes one."""
    return {
        "token/": {"email": patient.email, "password": password},
        "token/mfa/": {"mfa_token": "x" * 40, "code": "123456"},
        "token/refresh/": {"refresh": token_pair_issue(user=patient, mfa=False)["refresh"]},
        "logout/": {"refresh": token_pair_issue(user=patient, mfa=False)["refresh"], "everywhere": False},
    }


def post(path: str, body) -> object:
    return APIClient().post(AUTH + path, body, format="json")


@pytest.mark.parametrize("path", ["token/", "token/mfa/", "token/refresh/", "logout/"])
def test_an_unknown_field_is_a_400_field_error_and_nothing_is_done(path, bodies):
    response = post(path, {**bodies[path], "role": "admin"})
    error = error_of(response, 400, "invalid")
    assert error["details"] == {"role": ["Unknown field."]}
    assert "access" not in response.content.decode()


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("token/", "email"),
        ("token/", "password"),
        ("token/mfa/", "mfa_token"),
        ("token/mfa/", "code"),
        ("token/refresh/", "refresh"),
        ("logout/", "refresh"),
    ],
)
@pytest.mark.parametrize("value", NOT_STRINGS, ids=repr)
def test_a_value_that_is_not_a_string_is_refused_not_coerced(path, field, value, bodies):
    error = error_of(post(path, {**bodies[path], field: value}), 400, "invalid")
    assert set(error["details"]) == {field}


@pytest.mark.parametrize("value", ["true", "1", 1, 0, None, "on"], ids=repr)
def test_everywhere_takes_a_json_boolean_only(value, bodies):
    error = error_of(post("logout/", {**bodies["logout/"], "everywhere": value}), 400, "invalid")
    assert set(error["details"]) == {"everywhere"}
    assert post("token/refresh/", {"refresh": bodies["logout/"]["refresh"]}).status_code == 200, "not revoked"


@pytest.mark.parametrize("path", ["token/", "token/mfa/", "token/refresh/", "logout/"])
def test_a_nul_character_is_a_400_as_the_schema_pattern_says(path, bodies):
    field = {"token/": "password", "token/mfa/": "code"}.get(path, "refresh")
    error = error_of(post(path, {**bodies[path], field: "a\u0000b"}), 400, "invalid")
    assert set(error["details"]) == {field}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("token/mfa/", {"mfa_token": " ", "code": "123456"}),
        ("token/refresh/", {"refresh": " "}),
        ("logout/", {"refresh": "\t"}),
    ],
)
def test_a_blank_looking_token_is_a_wrong_credential_not_a_400(path, body):
    error_of(post(path, body), 401, "token_not_valid")


@pytest.mark.parametrize("email", ["not-an-address", "0@0.a"])
def test_an_email_django_does_not_take_is_a_wrong_credential_after_the_same_hashing(email, password):
    responses = []
    hashes = hashing_calls(lambda: responses.append(post("token/", {"email": email, "password": password})))
    assert error_of(responses[0], 401, "invalid_credentials") and hashes == 1


def test_a_valid_body_still_signs_in(bodies):
    response = post("token/", bodies["token/"])
    assert response.status_code == 200 and set(response.json()) == {"access", "refresh"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def component(schema, reference: str) -> dict:
    return schema["components"]["schemas"][reference.rsplit("/", 1)[-1]]


# What each operation can answer: its successes, 400 (a malformed body or field), 404 (an unknown
# ?format=), 415 (a body type it cannot parse), 401 (bad credentials or token), 403 (a staff
# account without a second factor; a session owing its code), 429 (throttle or lockout), 503.
EXPECTED_STATUSES = {
    ("/api/v1/auth/token/", "post"): {"200", "400", "401", "403", "404", "415", "429", "503"},
    ("/api/v1/auth/token/mfa/", "post"): {"200", "400", "401", "404", "415", "429", "503"},
    ("/api/v1/auth/token/refresh/", "post"): {"200", "400", "401", "404", "415", "429", "503"},
    ("/api/v1/auth/logout/", "post"): {"204", "400", "401", "404", "415", "429", "503"},
    ("/api/v1/auth/me/", "get"): {"200", "400", "401", "403", "404", "429", "503"},
    ("/api/v1/auth/sessions/", "get"): {"200", "400", "401", "403", "404", "429", "503"},
    ("/api/v1/auth/sessions/{session_id}/", "delete"): {"204", "400", "401", "403", "404", "429", "503"},
}


def auth_operations(schema):
    for path, item in schema["paths"].items():
        if path.startswith(AUTH):
            for method, operation in item.items():
                yield path, method, operation


def test_every_auth_operation_documents_every_status_it_answers(schema):
    documented = {(path, method): set(operation["responses"]) for path, method, operation in auth_operations(schema)}
    assert documented == EXPECTED_STATUSES


def test_429_and_503_carry_retry_after_on_every_auth_operation(schema):
    for path, method, operation in auth_operations(schema):
        for status in ("429", "503"):
            assert "Retry-After" in operation["responses"][status].get("headers", {}), (path, method, status)


def test_auth_request_bodies_refuse_undeclared_properties_and_type_their_fields(schema):
    seen = set()
    for path, method, operation in auth_operations(schema):
        for content in operation.get("requestBody", {}).get("content", {}).values():
            body = component(schema, content["schema"]["$ref"])
            assert body["additionalProperties"] is False, (path, method)
            for name, field in body["properties"].items():
                seen.add(name)
                if name == "everywhere":
                    assert field["type"] == "boolean"
                else:
                    assert field["type"] == "string", (path, name)
                    assert field["pattern"] == NO_NUL_PATTERN, (path, name)
    assert seen == {"email", "password", "mfa_token", "code", "refresh", "everywhere"}
    assert component(schema, "TokenObtainRequest")["properties"]["email"]["format"] == "email"
