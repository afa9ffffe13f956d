"""Session rules and the second-factor gate, applied to every signed-in browser request."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from accounts.models import USER_SESSION_ID_KEY, EndReason
from accounts.policies import absolute_timeout, idle_timeout_for, second_factor_page
from accounts.selectors import user_session_find
from accounts.services.sessions import user_session_end, user_session_touch
from core.api_errors import is_api_request

MFA_PAGES = ("accounts:mfa_verify", "accounts:mfa_setup", "accounts:logout")


class SecondFactorRequiredMiddleware:
    """After OTPMiddleware. A user who passed the password step but not the code step (or a staff
    user without an authenticator yet) can open only the code step, enrollment and sign-out.

    The API is left to its own checks (JWT with an MFA claim, accounts.api.permissions); static
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


IDLE_MESSAGE = "You were signed out after a period of inactivity. Please sign in again."
ABSOLUTE_MESSAGE = "Your session reached its maximum length. Please sign in again."
ENDED_MESSAGE = "Your session was ended. Please sign in again."


class UserSessionMiddleware:
    """Enforces, server-side, on every request of a signed-in browser session:

    - the session must have a live UserSession row (ended by "sign out", a password change or
      reset, a role change, deactivation: refused here on its next use);
    - the idle timeout (STAFF_IDLE_TIMEOUT_SECONDS / PATIENT_IDLE_TIMEOUT_SECONDS) since last seen;
    - the absolute timeout (SESSION_ABSOLUTE_TIMEOUT_SECONDS) since sign-in, however active.

    Requests authenticated by a JWT do not go through here: DRF authenticates them in the view,
    and `request.user` is anonymous at this point.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            problem = self._check(request, user)
            if problem:
                logout(request)
                messages.warning(request, problem)
        return self.get_response(request)

    def _check(self, request, user) -> str | None:
        session_id = request.session.get(USER_SESSION_ID_KEY)
        session = user_session_find(user=user, session_id=session_id)
        if session is None or session.ended_at is not None:
            return ENDED_MESSAGE
        now = timezone.now()
        if now - session.created_at > absolute_timeout():
            user_session_end(actor=None, session=session, reason=EndReason.ABSOLUTE)
            return ABSOLUTE_MESSAGE
        if now - session.last_seen_at > idle_timeout_for(user):
            user_session_end(actor=None, session=session, reason=EndReason.IDLE)
            return IDLE_MESSAGE
        user_session_touch(session=session, session_key=request.session.session_key)
        return None
