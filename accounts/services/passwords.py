"""Password reset and change. Both end the user's other sessions and refresh tokens and tell
the user by e-mail. A reset never signs anyone in, so it cannot skip the second factor."""

import secrets

from django.db import transaction

from accounts.models import EndReason, User
from accounts.selectors import user_get_by_email
from accounts.services.emails import email_queue, email_queue_rehearsal
from accounts.services.registration import account_email_rate_limited
from accounts.services.sessions import user_end_sessions
from audit.services import Outcome, record_security_event


def password_reset_request(*, email: str, base_url: str, client_ip: str | None) -> None:
    """E-mail a reset link to an active account with a password. Same answer for any address, and
    the same work: the outbox row is written (and, for no account, rolled back) and the message
    rendered in-process or published (accounts.services.emails). The link is made at send time."""
    email = User.objects.normalize_email(email)
    if account_email_rate_limited(scope="password_reset", email=email, client_ip=client_ip):
        record_security_event(
            action="auth.password_reset_request", outcome=Outcome.FAILURE, details={"reason": "rate_limited"}
        )
        return
    user = user_get_by_email(email=email)
    if user is not None and not user.is_active:
        user = None
    if user is None or not user.has_usable_password():
        # Comparable work: queue the same e-mail for a throw-away account, keep and send nothing.
        stand_in = User(pk=0, email=email, password=secrets.token_hex(8))
        email_queue_rehearsal(template="password_reset", stand_in=stand_in, base_url=base_url)
        record_security_event(
            action="auth.password_reset_request",
            outcome=Outcome.FAILURE,
            target_user=user,
            details={"reason": "no_active_account"},
        )
        return
    with transaction.atomic():
        email_queue(template="password_reset", recipient=user, base_url=base_url)
        record_security_event(action="auth.password_reset_request", target_user=user)


def _tell_password_changed(user: User, how: str) -> None:
    email_queue(template="password_changed", recipient=user, context={"how": how})


@transaction.atomic
def password_reset_complete(*, user: User, password: str) -> User:
    """The reset link was valid and the password passed the validators (checked by the caller)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    record_security_event(action="auth.password_reset", actor=user, target_user=user)
    user_end_sessions(user=user, reason=EndReason.PASSWORD_RESET, actor=user)
    _tell_password_changed(user, "reset")
    return user


@transaction.atomic
def password_change(*, user: User, password: str, current_session_key: str | None) -> User:
    """The old password was checked and the new one validated by the caller. The caller keeps
    its own session signed in (update_session_auth_hash); every other session ends."""
    user.set_password(password)
    user.save(update_fields=["password"])
    record_security_event(action="auth.password_change", actor=user, target_user=user)
    user_end_sessions(user=user, except_session_key=current_session_key, reason=EndReason.PASSWORD_CHANGE, actor=user)
    _tell_password_changed(user, "change")
    return user
