"""The authentication backend that settings name (AUTHENTICATION_BACKENDS): the attempt counter
of accounts.services.lockout, taken before any password is hashed."""

from django.core.exceptions import PermissionDenied

from accounts.services.lockout import attempt_reserve
from core.request_context import client_ip_for_axes


class LoginAttemptGuardBackend:
    """An authentication backend that authenticates no one: placed after axes' backend and
    before ModelBackend, it refuses an attempt past the limit before the password is hashed.

    Raising PermissionDenied stops django.contrib.auth.authenticate, which then sends
    user_login_failed (audited; axes sees the request flagged as locked out and answers with
    the lockout response). It has no get_user(): it never holds a session (and so force_login
    and session loading skip it)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        http_request = getattr(request, "_request", request)
        if not attempt_reserve(username=username or "", ip=client_ip_for_axes(http_request)):
            http_request.axes_locked_out = True
            raise PermissionDenied
        return None
