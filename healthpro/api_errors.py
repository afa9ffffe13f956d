"""One JSON error shape for every API error.

    {"error": {"status": 400, "code": "invalid", "message": "...", "details": {...}, "request_id": "..."}}

`details` appears only for validation errors (field -> messages). Server errors say nothing of
what went wrong inside; the request id lets an operator find the log line.
"""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

logger = logging.getLogger("healthpro.api")

GENERIC_MESSAGES = {
    400: "The request is malformed.",
    401: "Authentication credentials were not provided or are not valid.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    405: "Method not allowed.",
    406: "The requested content type cannot be produced.",
    415: "Unsupported media type.",
    429: "Too many requests. Try again later.",
    500: "An internal error occurred. It has been logged.",
}


def error_body(*, status_code: int, code: str, message: str, request=None, details=None) -> dict:
    body = {
        "status": status_code,
        "code": code,
        "message": message,
        "request_id": getattr(request, "request_id", None),
    }
    if details:
        body["details"] = details
    return {"error": body}


def _first_code(detail) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value)
    if isinstance(detail, list) and detail:
        return _first_code(detail[0])
    return getattr(detail, "code", None) or "invalid"


def api_exception_handler(exc, context):
    # Imported here: rest_framework.views reads DEFAULT_CONTENT_NEGOTIATION_CLASS, which lives
    # in this module, at import time.
    from rest_framework.views import exception_handler as drf_exception_handler
    from rest_framework.views import set_rollback

    request = context.get("request")
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # Django answers it with a 400 on pages; DRF does not know it, so it was a 500 here.
        exc = exceptions.ParseError("The request body is too large.")
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError()
    response = drf_exception_handler(exc, context)
    if response is None:
        # Logged with its type and stack only (see healthpro.logging); the client learns nothing.
        logger.exception("Unhandled API error", exc_info=exc)
        # As DRF does for the errors it handles: an open atomic block must not commit.
        set_rollback()
        return Response(
            error_body(status_code=500, code="server_error", message=GENERIC_MESSAGES[500], request=request),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body(
            status_code=response.status_code,
            code="invalid",
            message="The request has invalid fields.",
            details=detail,
            request=request,
        )
        return response
    code = getattr(exc, "default_code", None) or "error"
    detail = getattr(exc, "detail", None)
    message = str(detail) if isinstance(detail, str) else GENERIC_MESSAGES.get(response.status_code, "Error.")
    response.data = error_body(status_code=response.status_code, code=code, message=message, request=request)
    return response


def json_error_response(request, status_code: int, code: str) -> JsonResponse:
    return JsonResponse(
        error_body(status_code=status_code, code=code, message=GENERIC_MESSAGES[status_code], request=request),
        status=status_code,
    )


def is_api_request(request) -> bool:
    return request.path_info.startswith("/api/")


class ApiNotFoundMiddleware:
    """Any 404 under /api/ that is not already the JSON error shape becomes it.

    Covers what the API views do not see: an unknown URL or version (/api/v2/...), where Django
    would otherwise answer its HTML page, and with DEBUG on its technical 404 page, which lists
    every URL pattern of the project.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and is_api_request(request)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            replacement = json_error_response(request, 404, "not_found")
            replacement.cookies = response.cookies
            if response.has_header("Vary"):
                replacement["Vary"] = response["Vary"]
            return replacement
        return response


class JsonFallbackContentNegotiation(DefaultContentNegotiation):
    """The API speaks JSON: when no renderer matches the Accept header (a browser asking for
    text/html while the browsable API is off), answer with the view's first renderer instead of
    406. An unknown ?format= still answers 404, as in DRF."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            renderer = renderers[0]
            return renderer, renderer.media_type
