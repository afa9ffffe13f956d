"""The authentication backend that settings name (AUTHENTICATION_BACKENDS): the password check,
inside the attempt counter of accounts.services.lockout."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from accounts.services.lockout import attempt_failed, attempt_passed, attempt_reserve
from core.request_context import client_ip_for_axes


class LoginAttemptGuardBackend(ModelBackend):
    """ModelBackend's password check between a slot reserved in the attempt counter and its
    answer: refused without hashing anything when the limit is taken, the slot given back on a
    right password and kept on a wrong one. Placed after axes' backend.

    Raising PermissionDenied stops django.contrib.auth.authenticate (so ModelBackend, listed after
    this one for sessions and request-less calls, never checks the password a second time), which
    then sends user_login_failed (audited; counted by axes, or, with the request flagged as locked
    out, answered with axes' lockout response)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        http_request = getattr(request, "_request", request)
        username = username if username is not None else kwargs.get(get_user_model().USERNAME_FIELD)
        attempt = {"username": str(username or ""), "ip": client_ip_for_axes(http_request)}
        if not attempt_reserve(**attempt):
            http_request.axes_locked_out = True
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            attempt_failed(**attempt)
            raise PermissionDenied
        attempt_passed(**attempt)
        return user
