"""OpenAPI schema generation: drf-spectacular's AutoSchema, plus the error responses.

Every operation documents the one JSON error shape of core.api_errors (the ErrorResponse
component) for the errors it can answer: 400 and 404 always, 401 and 403 unless the view is
public (AllowAny), 415 when it takes a request body (DRF refuses a body type it cannot parse),
429 (with Retry-After) when the view is throttled, 503 (with Retry-After) always (the database or
the cache down: core.outages). Responses an operation declares itself
(@extend_schema(responses=...)) are kept as they are, except that a 429 or 503 always documents
Retry-After (every such answer carries it).

A request serializer with `refuses_unknown_fields = True` (one that answers 400 to a field it does
not declare) gets `additionalProperties: false`, so that the schema says what the API does. So
does a request string field that refuses the NUL character (DRF's CharField does): it gets
`pattern: ^[^\u0000]*$`, unless it declares a pattern of its own.
"""

from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ApiErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status code, repeated.")
    code = serializers.CharField(help_text="A stable machine-readable code, e.g. `invalid`, `not_authenticated`.")
    message = serializers.CharField(help_text="A human-readable message; never internal details.")
    request_id = serializers.CharField(
        allow_null=True, help_text="The id of this request, also in the X-Request-ID header: quote it to support."
    )
    details = serializers.DictField(
        required=False, help_text="Validation errors only: each invalid field with its messages."
    )


class ErrorResponseSerializer(serializers.Serializer):
    error = ApiErrorSerializer()


ERROR_DESCRIPTIONS = {
    400: "Malformed request or invalid fields (see `details`).",
    401: "Authentication credentials were not provided or are not valid.",
    403: "Authenticated, but not allowed to do this (or a browser session still owing its second factor).",
    404: "Not found, or not visible to this user.",
    415: "The request body's Content-Type is not one this operation accepts.",
    429: "Too many requests; retry after the number of seconds in Retry-After.",
    503: "The database or the cache does not answer; retry after the number of seconds in Retry-After.",
}

NO_NUL_PATTERN = "^[^\\u0000]*$"

RETRY_AFTER_HEADER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds to wait before retrying.",
    }
}


BLANK_BRANCH = {"type": "string", "maxLength": 0}


def _without_redundant_blank_branch(field_schema: dict) -> dict:
    """drf-spectacular writes a blank-allowed string with a pattern as `oneOf: [the string, a blank
    string]`. With the NUL pattern, which the empty string matches, "" fits both branches and so
    breaks `oneOf` (exactly one), although the API takes it: the blank branch goes."""
    branches = field_schema.get("oneOf")
    if isinstance(branches, list) and len(branches) == 2 and branches[1] == BLANK_BRANCH:
        kept = branches[0]
        if kept.get("pattern") == NO_NUL_PATTERN:
            return {**{key: value for key, value in field_schema.items() if key != "oneOf"}, **kept}
    return field_schema


class AutoSchema(SpectacularAutoSchema):
    def error_statuses(self) -> list[int]:
        statuses = [400]
        public = any(isinstance(permission, AllowAny) for permission in self.view.get_permissions())
        if not public:
            statuses += [401, 403]
        statuses.append(404)
        if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None:
            statuses.append(415)
        if self.view.get_throttles():
            statuses.append(429)
        statuses.append(503)
        return statuses

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "request" and getattr(serializer, "refuses_unknown_fields", False):
            schema["additionalProperties"] = False
        for name, field_schema in schema.get("properties", {}).items():
            schema["properties"][name] = _without_redundant_blank_branch(field_schema)
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        validators = field.validators
        refuses_nul = any(isinstance(validator, ProhibitNullCharactersValidator) for validator in validators)
        has_pattern = "pattern" in schema or any(isinstance(validator, RegexValidator) for validator in validators)
        if direction == "request" and refuses_nul and schema.get("type") == "string" and not has_pattern:
            schema["pattern"] = NO_NUL_PATTERN
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status in self.error_statuses():
            code = str(status)
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorResponseSerializer, description=ERROR_DESCRIPTIONS[status]),
                    code,
                    direction=direction,
                )
        for code in ("429", "503"):
            if code in responses:
                responses[code].setdefault("headers", {}).update(RETRY_AFTER_HEADER)
        return responses
