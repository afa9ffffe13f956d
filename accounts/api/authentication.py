"""The API's session authentication, with the same second-factor gate as the pages.

accounts.middleware.SecondFactorRequiredMiddleware confines a session that has passed the
password but not the code step (or a staff session without an authenticator yet) to the MFA
pages, and leaves /api/ to DRF. DRF's SessionAuthentication would accept that session as signed
in, so the password alone would read the account and list or end its sessions. Here such a
session is refused with 403, telling the client to finish signing in on the web.
"""

from drf_spectacular.authentication import SessionScheme
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from accounts.policies import second_factor_page


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
