"""One JSON error shape for every API error.

    {"error": {"status": 400, "code": "invalid", "message": "...", "details": {...}, "request_id": "..."}}

`details` appears only for validation errors (field -> messages). Server errors say nothing of
what went wrong inside; the request id lets an operator find the log line.
"""

from django.http import JsonResponse

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
    503: "The service is temporarily unavailable. Try again in a moment.",
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


def json_error_response(request, status_code: int, code: str) -> JsonResponse:
    return JsonResponse(
        error_body(status_code=status_code, code=code, message=GENERIC_MESSAGES[status_code], request=request),
        status=status_code,
    )


def is_api_request(request) -> bool:
    return request.path_info.startswith("/api/")
