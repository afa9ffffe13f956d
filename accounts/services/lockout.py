"""Lockout on every authentication path: django-axes, made race-proof by an atomic counter.

django-axes records failures in the database and refuses a locked client, but it checks the
count before the password and writes it after, so N parallel wrong passwords all pass the check
before any failure is written (axes issue #592): with a limit of 5, 50 parallel attempts make
12 to 16 real password checks. The attempt counter closes that race. Per username+IP and per IP
there are three keys in the shared cache (Redis in production, atomic INCR):

- `slots`: the attempts in flight plus the failures kept. A step (a password or a code) reserves
  one slot before its secret is checked, and is refused without checking anything when that
  would pass the limit, so parallel attempts cannot slip under it. A right answer gives back
  exactly the slot its step took; a wrong one keeps it.
- `failures`: the wrong answers, living a cool-off after the latest one.
- `lock`: set once (`cache.add`) when the failures reach the limit, for the cool-off, and never
  renewed: the lock lifts a cool-off after it began, whatever is tried meanwhile (a locked client
  is refused before any counter moves). It holds the time it ends, for the answers.

Only failures count: a completed sign-in (password, and code where there is one) leaves the
per-IP counters as they were, so a clinic behind one address signs in all day. It also clears
this account's failures for this client (and its axes record). Axes stays the record of lockouts
(its admin lists and clears them; clearing one clears these keys too).
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts.selectors import user_get_by_email
from audit.services import Outcome, record_security_event

LOCKOUT_MESSAGE = (
    "Too many failed sign-in attempts. Sign-in is locked until {until} (in about {minutes} minutes); try again then."
)


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


@dataclass(frozen=True)
class _Counter:
    """The slots, failures and lock keys of one scope (an account + IP, or an IP) and its limit."""

    slots: str
    failures: str
    lock: str
    limit: int


def _counter(kind: str, parts: tuple[str, ...], limit: int) -> _Counter:
    return _Counter(_key(kind, *parts), _key(f"{kind}-failures", *parts), _key(f"{kind}-lock", *parts), limit)


def _counters(username: str, ip: str | None) -> tuple[_Counter, _Counter]:
    """The account + client's counter, then the address's."""
    return (
        _counter("user-ip", (normalize_username(username), ip or ""), settings.AXES_FAILURE_LIMIT),
        _counter("ip", (ip or "",), settings.LOGIN_IP_FAILURE_LIMIT),
    )


def _increment(key: str) -> int:
    """Atomic +1; a key made here lives a cool-off (never renewed here)."""
    timeout = cooloff_seconds()
    for _ in range(3):
        cache.add(key, 0, timeout)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            continue
    raise RuntimeError("the attempt counter could not be incremented")


def _give_back(key: str) -> None:
    try:
        if cache.decr(key) < 0:
            cache.delete(key)
    except ValueError:  # expired, or cleared by a completed sign-in or an administrator
        pass


def locked_until(*, username: str, ip: str | None) -> datetime | None:
    """When the lock of this account + client, or of this client's address, ends (UTC); None when
    neither is locked by the counter."""
    now = timezone.now().timestamp()
    ends = [value for value in cache.get_many([c.lock for c in _counters(username, ip)]).values() if value > now]
    if not ends:
        return None
    return datetime.fromtimestamp(max(ends), tz=UTC)


def lock_end(*, username: str | None, ip: str | None) -> datetime:
    """The end of the lock a locked-out answer reports: the counter's, else (django-axes alone
    locked, or a refusal while the limit is taken by attempts in flight) a cool-off from now."""
    return locked_until(username=username or "", ip=ip) or timezone.now() + timedelta(seconds=cooloff_seconds())


def attempt_reserve(*, username: str, ip: str | None) -> bool:
    """Reserve a slot for one step before its secret is checked. False means: refuse it, check
    nothing (a refused attempt takes no slot and renews no lock). The caller reports the answer
    with attempt_passed or attempt_failed."""
    counters = _counters(username, ip)
    locks = cache.get_many([c.lock for c in counters])
    now = timezone.now().timestamp()
    for counter in counters:
        ends = locks.get(counter.lock)
        if ends and ends > now:
            return False
        if ends:  # the cool-off is over by the clock, its key not yet gone: a fresh start
            cache.delete_many([counter.lock, counter.slots, counter.failures])
    taken = []
    for counter in counters:
        taken.append(counter.slots)
        if _increment(counter.slots) > counter.limit:
            for key in taken:
                _give_back(key)
            return False
    return True


def attempt_passed(*, username: str, ip: str | None) -> None:
    """A right answer: give back the slots its step reserved."""
    for counter in _counters(username, ip):
        _give_back(counter.slots)


def attempt_failed(*, username: str, ip: str | None) -> None:
    """A wrong answer: its slots stay taken; at the limit of failures the lock starts (once)."""
    timeout = cooloff_seconds()
    for counter in _counters(username, ip):
        if cache.get(counter.lock) is not None:
            continue  # answered after the lock began: the lock keeps its end
        failures = _increment(counter.failures)
        cache.touch(counter.failures, timeout)
        cache.touch(counter.slots, timeout)
        if failures >= counter.limit:
            cache.add(counter.lock, (timezone.now() + timedelta(seconds=timeout)).timestamp(), timeout)


def attempts_clear(*, username: str, ip: str | None) -> None:
    """A sign-in completed: this account's failures for this client are forgiven (its counter and
    axes record go). The per-IP counter stays as it is: each step gave back its own slot."""
    account, _ = _counters(username, ip)
    cache.delete_many([account.slots, account.failures])
    AxesProxyHandler.reset_attempts(ip_address=ip, username=normalize_username(username))


def credentials_for(username: str) -> dict:
    return {settings.AXES_USERNAME_FORM_FIELD: normalize_username(username)}


def is_locked(request, *, username: str) -> bool:
    return AxesProxyHandler.is_locked(request, credentials_for(username))


def second_factor_allowed(request, *, user) -> bool:
    """Before checking a code: reserve its slot. False (and the refusal audited, the request
    flagged for axes' lockout answer) when this account + client is locked or out of attempts."""
    if not is_locked(request, username=user.email) and attempt_reserve(username=user.email, ip=request.client_ip):
        return True
    lockout_refused(request, user=user)
    return False


def lockout_refused(request, *, user) -> None:
    """A locked-out user's code step was refused without checking anything: audited, and the
    request flagged for axes' lockout answer."""
    request.axes_locked_out = True
    record_security_event(
        action="auth.lockout",
        outcome=Outcome.DENIED,
        actor=user,
        target_user=user,
        details={"known_account": True, "path": request.path_info[:100]},
    )


def second_factor_passed(request, *, user) -> None:
    """A right code: its step gives back the slot it reserved."""
    attempt_passed(username=user.email, ip=request.client_ip)


def record_failure(request, *, username: str, sender) -> bool:
    """Count a failed second factor with axes and the attempt counter, as a failed password is.
    True if now locked out."""
    attempt_failed(username=username, ip=request.client_ip)
    AxesProxyHandler.user_login_failed(sender, credentials_for(username), request)
    return bool(getattr(request, "axes_locked_out", False))


def lockout_message(until: datetime | None = None) -> str:
    """What a locked-out client is told: until when (UTC), and about how long that is."""
    until = until or timezone.now() + timedelta(seconds=cooloff_seconds())
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return LOCKOUT_MESSAGE.format(until=until.astimezone(UTC).strftime("%H:%M UTC"), minutes=minutes)


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def retry_after_seconds(until: datetime) -> int:
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


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
    account, _ = _counters(username or "", ip)
    cache.delete_many([account.slots, account.failures, account.lock])


def lockout_clear_record(*, actor, username: str | None, failures: int) -> None:
    """An administrator clears a lockout (accounts.admin): audited before axes deletes the record."""
    target = user_get_by_email(email=username)
    record_security_event(
        action="auth.lockout_clear",
        actor=actor,
        target_user=target,
        details={"known_account": target is not None, "failures": failures},
    )
