"""Signed-in browser sessions (UserSession) and the end of sessions and refresh tokens.

A UserSession row is created at every login (signal, accounts.signals) and is the authority for
that session: accounts.middleware.UserSessionMiddleware refuses a session whose row is missing or
ended, and ends it after the idle timeout (staff and patients have their own) or the absolute
timeout. Only a SHA-256 of the session key is stored; the session itself holds the row's id.
Django keeps its own session data until expiry: a revoked session is flushed on its next request.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.devices import device_label
from accounts.models import User, UserSession
from accounts.tokens import refresh_tokens_revoke_all
from audit.services import record_security_event

USER_SESSION_ID_KEY = "_healthpro_user_session_id"
# last_seen_at is written at most this often: the idle timeout is minutes, a write per request is waste.
LAST_SEEN_WRITE_INTERVAL = timedelta(seconds=30)


class EndReason:
    SIGNED_OUT = "signed_out"
    SIGNED_OUT_ELSEWHERE = "signed_out_by_user"
    SIGNED_IN_AGAIN = "signed_in_again"
    IDLE = "idle_timeout"
    ABSOLUTE = "absolute_timeout"
    PASSWORD_CHANGE = "password_change"  # noqa: S105  (a reason, not a password)
    PASSWORD_RESET = "password_reset"  # noqa: S105
    ROLE_CHANGE = "role_change"
    DEACTIVATION = "deactivation"
    MFA_CHANGE = "mfa_change"


def hash_session_key(session_key: str | None) -> str:
    return hashlib.sha256((session_key or "").encode()).hexdigest()


def idle_timeout_for(user) -> timedelta:
    """Staff roles (and admin-site operators without a role, such as a break-glass superuser) get
    the short staff timeout; everyone else the patient one."""
    role = user.role
    if (role is not None and role.is_staff_role) or user.is_staff or user.is_superuser:
        return timedelta(seconds=settings.STAFF_IDLE_TIMEOUT_SECONDS)
    return timedelta(seconds=settings.PATIENT_IDLE_TIMEOUT_SECONDS)


def absolute_timeout() -> timedelta:
    return timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS)


# ---------------------------------------------------------------- selectors


def _live_sessions(user: User):
    """Sessions not ended and within both timeouts (past ones are ended on their next request)."""
    now = timezone.now()
    return UserSession.objects.filter(
        user=user,
        ended_at__isnull=True,
        created_at__gt=now - absolute_timeout(),
        last_seen_at__gt=now - idle_timeout_for(user),
    )


def user_session_list(*, user: User) -> list[UserSession]:
    """The user's live sessions, most recently used first."""
    return list(_live_sessions(user))


def user_session_get(*, user: User, session_id: int) -> UserSession | None:
    """One live session of `user`; None for another user's session, as for one that does not exist."""
    return _live_sessions(user).filter(pk=session_id).first()


def user_session_current(*, request) -> UserSession | None:
    session_id = request.session.get(USER_SESSION_ID_KEY) if hasattr(request, "session") else None
    if session_id is None or not request.user.is_authenticated:
        return None
    return UserSession.objects.filter(pk=session_id, user=request.user, ended_at__isnull=True).first()


# ---------------------------------------------------------------- services


def user_session_start(*, request, user: User) -> UserSession:
    """Called at login (after Django rotated the session key): record this browser session.

    Signing in again in the same browser keeps Django's session data, so a row it pointed to
    is ended here: one browser, one live row."""
    previous_id = request.session.get(USER_SESSION_ID_KEY)
    if previous_id is not None:
        UserSession.objects.filter(pk=previous_id, ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason=EndReason.SIGNED_IN_AGAIN
        )
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:256]
    session = UserSession.objects.create(
        user=user,
        session_key_hash=hash_session_key(request.session.session_key),
        ip_address=getattr(request, "client_ip", None),
        user_agent=user_agent,
        device_label=device_label(user_agent),
    )
    request.session[USER_SESSION_ID_KEY] = session.pk
    return session


def user_session_touch(*, session: UserSession, session_key: str | None) -> None:
    now = timezone.now()
    key_hash = hash_session_key(session_key)
    fields = []
    if now - session.last_seen_at >= LAST_SEEN_WRITE_INTERVAL:
        session.last_seen_at = now
        fields.append("last_seen_at")
    if session_key and session.session_key_hash != key_hash:
        # The key was rotated within the same sign-in (e.g. after the second factor).
        session.session_key_hash = key_hash
        fields.append("session_key_hash")
    if fields:
        session.save(update_fields=fields)


@transaction.atomic
def user_session_end(*, actor: User | None, session: UserSession, reason: str) -> None:
    session.ended_at = timezone.now()
    session.end_reason = reason
    session.save(update_fields=["ended_at", "end_reason"])
    record_security_event(
        action="auth.session_end",
        actor=actor,
        target_user=session.user,
        details={"session_id": session.pk, "reason": reason},
    )


@transaction.atomic
def user_end_sessions(*, user: User, except_session_key: str | None = None, reason: str, actor: User | None = None):
    """End every browser session of `user` (but the one with `except_session_key`, the caller's
    own) and blacklist all their refresh tokens. Returns (sessions ended, refresh tokens revoked).

    Called on password change and reset, role change, deactivation and MFA change.
    """
    now = timezone.now()
    sessions = UserSession.objects.select_for_update().filter(user=user, ended_at__isnull=True)
    if except_session_key:
        sessions = sessions.exclude(session_key_hash=hash_session_key(except_session_key))
    ended = sessions.update(ended_at=now, end_reason=reason)
    revoked = refresh_tokens_revoke_all(user=user)
    # The cause (password change, deactivation, ...) is audited by its own service; this event
    # says what it ended, so it is written only when there was something to end.
    if ended or revoked:
        record_security_event(
            action="auth.sessions_end_all",
            actor=actor,
            target_user=user,
            details={
                "reason": reason,
                "sessions_ended": ended,
                "refresh_tokens_revoked": revoked,
                "kept_current": bool(except_session_key),
            },
        )
    return ended, revoked
