"""The project's own middleware: the request context, the headers Django does not set, and the
JSON 404 under /api/ (each is named in settings.MIDDLEWARE)."""

import uuid

from django.utils.cache import add_never_cache_headers, patch_cache_control

from core.api_errors import is_api_request, json_error_response
from core.request_context import REQUEST_ID_HEADER, RequestContext, client_ip, context_enter, context_exit


class SecurityHeadersMiddleware:
    """Authenticated responses must never be stored by a browser or a shared cache.

    Placed after the CSP middleware and before the session middleware in MIDDLEWARE, so it wraps
    every response of the views below it, error pages included.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        authenticated = bool(user is not None and user.is_authenticated)
        if authenticated or request.META.get("HTTP_AUTHORIZATION"):
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        return response


class RequestContextMiddleware:
    """Gives every request an id (echoed in X-Request-ID) and a trusted client IP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        request.client_ip = client_ip(request)
        context = RequestContext(
            request_id=request.request_id,
            client_ip=request.client_ip,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:256],
        )
        token = context_enter(context)
        try:
            response = self.get_response(request)
        finally:
            context_exit(token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


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
