"""The API's exception handler (REST_FRAMEWORK["EXCEPTION_HANDLER"]), for every app: each error
answers the one JSON shape of core.api_errors.

Kept apart from core.api_errors because it imports rest_framework.views, which reads the
authentication and parser classes named in settings when it is imported; those import
core.api_errors, so that module must stay free of rest_framework.views.
"""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core.api_errors import GENERIC_MESSAGES, error_body
from core.outages import RETRY_AFTER_SECONDS, outage_log, unavailable_part

logger = logging.getLogger("healthpro.api")


def api_exception_handler(exc, context):
    request = context.get("request")
    part = unavailable_part(exc)
    if part is not None:
        outage_log(part, exc)
        set_rollback()
        return Response(
            error_body(status_code=503, code="service_unavailable", message=GENERIC_MESSAGES[503], request=request),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # Django answers it with a 400 on pages; DRF does not know it, so it was a 500 here.
        exc = exceptions.ParseError("The request body is too large.")
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError()
    elif isinstance(exc, DjangoValidationError):
        # A service's full_clean() or rule said no: the client's input, so a 400 with its fields.
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        # Logged with its type and stack only (see core.logging); the client learns nothing.
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
    # An error may carry machine-readable details of its own (a lockout: when it ends).
    details = getattr(exc, "error_details", None)
    response.data = error_body(
        status_code=response.status_code, code=code, message=message, details=details, request=request
    )
    return response
