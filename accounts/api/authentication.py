"""The API's authentication: JWT access tokens under the current or an earlier signing key, and
the session, with the same second-factor gate as the pages.

RotatingKeyJWTAuthentication is simplejwt's JWTAuthentication; a token its backend (the current
key) refuses is tried under each of JWT_PREVIOUS_SIGNING_KEYS (accounts.services.tokens), so a
rotation of JWT_SIGNING_KEY signs no one out while the old key is listed.

accounts.middleware.SecondFactorRequiredMiddleware confines a session that has passed the
password but not the code step (or a staff session without an authenticator yet) to the MFA
pages, and leaves /api/ to DRF. DRF's SessionAuthentication would accept that session as signed
in, so the password alone would read the account and list or end its sessions. Here such a
session is refused with 403, telling the client to finish signing in on the web.
"""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

from accounts.policies import second_factor_page
from accounts.services.tokens import access_token_under_previous_key


class RotatingKeyJWTAuthentication(JWTAuthentication):
    def get_validated_token(self, raw_token):
        try:
            return super().get_validated_token(raw_token)
        except InvalidToken:
            token = access_token_under_previous_key(raw_token)
            if token is None:
                raise
            return token


class RotatingKeyJWTScheme(SimpleJWTScheme):
    """The OpenAPI description of the JWT authentication: simplejwt's (`jwtAuth`)."""

    target_class = RotatingKeyJWTAuthentication


class SecondFactorRequired(exceptions.PermissionDenied):
    default_detail = "Finish signing in with your second factor on the web first."
    default_code = "second_factor_required"


class SecondFactorSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        is_verified = getattr(user, "is_verified", None)
        if not (is_verified and is_verified()) and second_factor_page(user) is not None:
            raise SecondFactorRequired()
        return result


class SecondFactorSessionScheme(SessionScheme):
    """The OpenAPI description of the session (cookie) authentication: as DRF's."""

    target_class = SecondFactorSessionAuthentication
