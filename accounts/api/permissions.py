"""DRF permissions for staff endpoints: a staff role and a verified second factor.

With a JWT, the factor is the access token's `mfa` claim (set only by the code step,
POST /api/v1/auth/token/mfa/); with a session, django-otp's verified flag.
"""

from rest_framework.permissions import BasePermission
from rest_framework_simplejwt.tokens import Token

from accounts.services.tokens import MFA_CLAIM


def request_has_verified_factor(request) -> bool:
    if isinstance(request.auth, Token):
        return request.auth.get(MFA_CLAIM) is True
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


class VerifiedStaff(BasePermission):
    message = "This endpoint needs a staff account signed in with two-factor authentication."

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user and user.is_authenticated and getattr(user, "requires_mfa", False)
        ) and request_has_verified_factor(request)


class RequiredFactorPassed(BasePermission):
    """Signed in, and past the second factor where the role requires one: a staff browser session
    that stopped at the password may not use the API any more than the pages (where
    SecondFactorRequiredMiddleware sends it to the code step)."""

    message = "This endpoint needs your second factor: complete the sign-in first."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return not getattr(user, "requires_mfa", False) or request_has_verified_factor(request)
