"""Lockout on every authentication path: django-axes, made race-proof by an atomic counter.

django-axes records failures in the database and refuses a locked client, but it checks the
count before the password and writes it after, so N parallel wrong passwords all pass the check
before any failure is written (axes issue #592): with a limit of 5, 50 parallel attempts make
12 to 16 real password checks. `LoginAttemptGuardBackend` closes that race: before any password is
checked it takes a slot in an atomic counter in the shared cache (Redis INCR in production), per
username+IP and per IP, and refuses the attempt without hashing anything once a counter is past
its limit. Axes stays the record of lockouts (its admin lists and clears them); the counter only
makes sure no more than the limit of checks can ever run.

Counters are cleared when a sign-in completes (password, plus the code when the account has MFA)
and when an administrator clears the account's axes lockout.
"""

import hashlib
import math

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import render
from rest_framework import exceptions

from audit.services import Outcome, record_security_event
from core.api_errors import error_body, is_api_request
from core.request_context import client_ip_for_axes

LOCKOUT_MESSAGE = "Too many failed sign-in attempts. Sign-in is locked for {minutes} minutes; try again later."


def normalize_username(username: str | None) -> str:
    return (username or "").strip().lower()


def axes_username(request, credentials) -> str:
    """AXES_USERNAME_CALLABLE: one lockout record whatever the case or spacing of the address."""
    if credentials:
        return normalize_username(credentials.get(settings.AXES_USERNAME_FORM_FIELD))
    data = getattr(request, "POST", {}) or {}
    return normalize_username(data.get(settings.AXES_USERNAME_FORM_FIELD))


def cooloff_seconds() -> int:
    return math.ceil(settings.AXES_COOLOFF_TIME * 3600)


def _key(kind: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"accounts:attempts:{kind}:{digest}"


def _user_key(username: str, ip: str | None) -> str:
    return _key("user-ip", normalize_username(username), ip or "")


def _ip_key(ip: str | None) -> str:
    return _key("ip", ip or "")


def _increment(key: str) -> int:
    timeout = cooloff_seconds()
    for _ in range(3):
        cache.add(key, 0, timeout)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            continue
        cache.touch(key, timeout)
        return count
    raise RuntimeError("the attempt counter could not be incremented")


def attempt_reserve(*, username: str, ip: str | None) -> bool:
    """Count one attempt before its secret is checked. False means: refuse it, check nothing.

    The counters count attempts, not failures: an attempt in flight holds its slot, so parallel
    attempts cannot all slip under the limit. A completed sign-in gives the slots back.
    """
    per_account = _increment(_user_key(username, ip))
    per_ip = _increment(_ip_key(ip))
    return per_account <= settings.AXES_FAILURE_LIMIT and per_ip <= settings.LOGIN_IP_FAILURE_LIMIT


def attempts_clear(*, username: str, ip: str | None) -> None:
    """A sign-in completed: clear this account's counter and axes record for this client, and
    give back its slot in the per-IP counter (failures for other accounts still count there)."""
    cache.delete(_user_key(username, ip))
    try:
        if cache.decr(_ip_key(ip)) < 0:
            cache.delete(_ip_key(ip))
    except ValueError:
        pass
    AxesProxyHandler.reset_attempts(ip_address=ip, username=normalize_username(username))


def credentials_for(username: str) -> dict:
    return {settings.AXES_USERNAME_FORM_FIELD: normalize_username(username)}


def is_locked(request, *, username: str) -> bool:
    return AxesProxyHandler.is_locked(request, credentials_for(username))


def second_factor_allowed(request, *, user) -> bool:
    """Before checking a code: False (and the refusal audited, the request flagged for axes'
    lockout answer) when this account + client is locked or out of attempts."""
    if not is_locked(request, username=user.email) and attempt_reserve(username=user.email, ip=request.client_ip):
        return True
    request.axes_locked_out = True
    record_security_event(
        action="auth.lockout",
        outcome=Outcome.DENIED,
        actor=user,
        target_user=user,
        details={"known_account": True, "path": request.path_info[:100]},
    )
    return False


def record_failure(request, *, username: str, sender) -> bool:
    """Count a failed second factor with axes, as a failed password is. True if now locked out."""
    AxesProxyHandler.user_login_failed(sender, credentials_for(username), request)
    return bool(getattr(request, "axes_locked_out", False))


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


class LockedOut(exceptions.Throttled):
    """The API's lockout answer: 429 with Retry-After, in the JSON error shape."""

    default_code = "locked_out"

    def __init__(self):
        super().__init__(wait=cooloff_seconds(), detail=LOCKOUT_MESSAGE.format(minutes=cooloff_seconds() // 60))


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: JSON under /api/, a page elsewhere; both 429 with Retry-After.

    It says no more than a failure does: the client is locked for this address whether or not an
    account exists for it."""
    seconds = cooloff_seconds()
    message = LOCKOUT_MESSAGE.format(minutes=seconds // 60)
    if is_api_request(request):
        response = JsonResponse(
            error_body(status_code=429, code="locked_out", message=message, request=request), status=429
        )
    else:
        response = render(request, "accounts/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response


@receiver(user_locked_out, dispatch_uid="accounts.audit_lockout")
def audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    from accounts.models import User

    target = User.objects.filter(email__iexact=normalize_username(username)).first() if username else None
    record_security_event(
        action="auth.lockout",
        outcome=Outcome.DENIED,
        target_user=target,
        details={"known_account": target is not None, "path": getattr(request, "path_info", "")[:100]},
    )


@receiver(post_delete, sender=AccessAttempt, dispatch_uid="accounts.lockout_cleared")
def lockout_cleared(sender, instance, **kwargs):
    """An administrator cleared a lockout in the admin (or a success reset it): the counter goes too."""
    cache.delete(_user_key(instance.username or "", instance.ip_address))
