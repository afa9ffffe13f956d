"""Browser sessions: start at login, touch, end one, end all of a user's (with their refresh
tokens), and the audit of Django's login, logout and failed-login signals (accounts.receivers).

A UserSession row (accounts.models.sessions) is the authority for its session: the middleware
refuses a session whose row is missing or ended, and ends it after the idle timeout (staff and
patients have their own) or the absolute timeout (accounts.policies). Django keeps its own session
data until expiry: a revoked session is flushed on its next request.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from accounts.models import USER_SESSION_ID_KEY, EndReason, User, UserSession, hash_session_key
from accounts.selectors import user_get_by_email, user_session_current
from accounts.services.devices import device_label, known_device_check
from accounts.services.tokens import refresh_tokens_revoke_all
from audit.services import Outcome, record_security_event

# last_seen_at is written at most this often: the idle timeout is minutes, a write per request is waste.
LAST_SEEN_WRITE_INTERVAL = timedelta(seconds=30)


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


@transaction.atomic
def sessions_cleanup(*, now=None) -> dict[str, int]:
    """The scheduled clean-up: end the session records past the absolute timeout (their browser
    never came back to be refused), delete records that ended more than USER_SESSION_RETENTION_DAYS
    ago, and Django's expired session data (what `clearsessions` does for the database backend).
    Returns the counts."""
    now = now or timezone.now()
    ended = UserSession.objects.filter(
        ended_at__isnull=True, created_at__lte=now - timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS)
    ).update(ended_at=now, end_reason=EndReason.ABSOLUTE)
    deleted, _ = UserSession.objects.filter(
        ended_at__lte=now - timedelta(days=settings.USER_SESSION_RETENTION_DAYS)
    ).delete()
    django_deleted, _ = Session.objects.filter(expire_date__lt=now).delete()
    return {"records_ended": ended, "records_deleted": deleted, "django_sessions_deleted": django_deleted}


def sign_in_record(*, request, user: User) -> None:
    """A browser signed in (user_logged_in): its session row, and the new-device notice. A login
    without a browser session (the test client's force_login on a bare request) records nothing."""
    if request is None or not hasattr(request, "session"):
        return
    user_session_start(request=request, user=user)
    known_device_check(request=request, user=user)


def sign_out_record(*, request, user: User | None) -> None:
    """A browser signed out (user_logged_out): its session row ends."""
    if request is None or user is None or not hasattr(request, "session"):
        return
    session = user_session_current(request=request)
    if session is not None:
        user_session_end(actor=user, session=session, reason=EndReason.SIGNED_OUT)


def login_audit(*, user: User) -> None:
    record_security_event(action="auth.login", actor=user, target_user=user)


def logout_audit(*, user: User | None) -> None:
    if user is not None:
        record_security_event(action="auth.logout", actor=user, target_user=user)


def login_failure_audit(*, credentials: dict | None) -> None:
    """The submitted address names the target account when it exists; it is never stored itself,
    so a mistyped password in the e-mail field cannot land in the log."""
    username = (credentials or {}).get("username") or (credentials or {}).get("email") or ""
    target = user_get_by_email(email=username)
    record_security_event(
        action="auth.login",
        outcome=Outcome.FAILURE,
        target_user=target,
        details={"known_account": target is not None},
    )
