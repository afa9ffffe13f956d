"""Headers Django's own middleware does not set."""

from django.utils.cache import add_never_cache_headers, patch_cache_control


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
