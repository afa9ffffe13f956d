"""Every read of accounts."""

from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from accounts.models import USER_SESSION_ID_KEY, OutgoingEmail, RecoveryCodeDevice, User, UserSession
from accounts.policies import confirmed_authenticators, live_sessions_of


def user_get_by_email(*, email: str | None) -> User | None:
    """The account that signs in with `email`, whatever its case or surrounding spaces."""
    email = User.objects.normalize_email(email)
    if not email:
        return None
    return User.objects.filter(email__iexact=email).first()


def user_get_active(*, user_id) -> User | None:
    return User.objects.filter(pk=user_id, is_active=True).first()


def user_get_by_uidb64(*, uidb64: str) -> User | None:
    """The account a link's uidb64 names, or None for a malformed or unknown one."""
    try:
        return User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None


def user_session_list(*, user: User) -> list[UserSession]:
    """The user's live sessions, most recently used first."""
    return list(live_sessions_of(user))


def user_session_get(*, user: User, session_id: int) -> UserSession | None:
    """One live session of `user`; None for another user's session, as for one that does not exist."""
    return live_sessions_of(user).filter(pk=session_id).first()


def user_session_current(*, request) -> UserSession | None:
    """The live row of the request's own browser session, if it is signed in."""
    session_id = request.session.get(USER_SESSION_ID_KEY) if hasattr(request, "session") else None
    if session_id is None or not request.user.is_authenticated:
        return None
    return UserSession.objects.filter(pk=session_id, user=request.user, ended_at__isnull=True).first()


def user_session_find(*, user: User, session_id) -> UserSession | None:
    """The row a session points to, ended or not (the middleware tells the two apart)."""
    if session_id is None:
        return None
    return UserSession.objects.filter(pk=session_id, user_id=user.pk).first()


def mfa_enrolled(user: User) -> bool:
    """The user has a confirmed authenticator: sign-in needs the code step."""
    return confirmed_authenticators(user).exists()


def recovery_codes_remaining(*, user: User) -> int:
    device = RecoveryCodeDevice.objects.filter(user=user).first()
    return device.remaining if device else 0


def mfa_authenticator_count(*, user: User) -> int:
    """How many confirmed authenticators the user has (recovery codes are not one of them)."""
    return confirmed_authenticators(user).count()


def outgoing_email_failed_count(*, user: User) -> int | None:
    """How many e-mails failed for good, for a user who may see the outbox (None for anyone else)."""
    if not user.has_perm("accounts.view_outgoingemail"):
        return None
    return OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED).count()
