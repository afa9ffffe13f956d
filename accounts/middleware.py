"""Confines a signed-in user who still owes the second factor to the pages that settle it."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from accounts.mfa import mfa_enrolled
from healthpro.api_errors import is_api_request

MFA_PAGES = ("accounts:mfa_verify", "accounts:mfa_setup", "accounts:logout")


def second_factor_page(user) -> str | None:
    """Where a signed-in, not yet verified user must go: the code step if they have an
    authenticator, enrollment if their role requires one, or None (nothing owed)."""
    if mfa_enrolled(user):
        return "accounts:mfa_verify"
    if user.requires_mfa:
        return "accounts:mfa_setup"
    return None


class SecondFactorRequiredMiddleware:
    """After OTPMiddleware. A user who passed the password step but not the code step (or a staff
    user without an authenticator yet) can open only the code step, enrollment and sign-out.

    The API is left to its own checks (JWT with an MFA claim, accounts.api_permissions); static
    files never reach here (whitenoise answers them first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not is_api_request(request)
            and not request.path_info.startswith(settings.STATIC_URL)
        ):
            target = second_factor_page(user)
            allowed = {reverse(name) for name in MFA_PAGES}
            if target is not None and request.path_info not in allowed:
                query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
                return redirect(reverse(target) + (f"?{query}" if query else ""))
        return self.get_response(request)
