"""Lockout on every authentication path: django-axes, made race-proof by an atomic counter.

django-axes records failures in the database and refuses a locked client, but it checks the
count before the password and writes it after, so N parallel wrong passwords all pass the check
before any failure is written (axes issue #592): with a limit of 5, 50 parallel attempts make
12 to 16 real password checks. The attempt counter closes that race: before any password is
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
from django.conf import settings
from django.core.cache import cache

from accounts.selectors import user_get_by_email
from audit.services import Outcome, record_security_event

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


def lockout_message() -> str:
    return LOCKOUT_MESSAGE.format(minutes=cooloff_seconds() // 60)


def lockout_audit(*, request, username: str | None) -> None:
    """django-axes locked a client out (user_locked_out). It says no more than a failure does."""
    target = user_get_by_email(email=username)
    record_security_event(
        action="auth.lockout",
        outcome=Outcome.DENIED,
        target_user=target,
        details={"known_account": target is not None, "path": getattr(request, "path_info", "")[:100]},
    )


def attempt_counter_clear(*, username: str | None, ip: str | None) -> None:
    """An administrator cleared a lockout in the admin (or a success reset it): the counter goes too."""
    cache.delete(_user_key(username or "", ip))


def lockout_clear_record(*, actor, username: str | None, failures: int) -> None:
    """An administrator clears a lockout (accounts.admin): audited before axes deletes the record."""
    target = user_get_by_email(email=username)
    record_security_event(
        action="auth.lockout_clear",
        actor=actor,
        target_user=target,
        details={"known_account": target is not None, "failures": failures},
    )
