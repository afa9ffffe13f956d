"""The access rules of accounts: which second factor a signed-in user still owes, how long a
browser session may live, and who may end which session."""

from datetime import timedelta

from django.conf import settings
from django.utils.timezone import now as timezone_now
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User, UserSession


def confirmed_authenticators(user: User):
    """The user's authenticators that count for sign-in: only those a code has confirmed
    (django-otp's own verify_token would accept codes of an unconfirmed device)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True)


def second_factor_page(user: User) -> str | None:
    """Where a signed-in, not yet verified user must go: the code step if they have an
    authenticator, enrollment if their role requires one, or None (nothing owed)."""
    if confirmed_authenticators(user).exists():
        return "accounts:mfa_verify"
    if user.requires_mfa:
        return "accounts:mfa_setup"
    return None


def idle_timeout_for(user: User) -> timedelta:
    """Staff roles (and admin-site operators without a role, such as a break-glass superuser) get
    the short staff timeout; everyone else the patient one."""
    role = user.role
    if (role is not None and role.is_staff_role) or user.is_staff or user.is_superuser:
        return timedelta(seconds=settings.STAFF_IDLE_TIMEOUT_SECONDS)
    return timedelta(seconds=settings.PATIENT_IDLE_TIMEOUT_SECONDS)


def absolute_timeout() -> timedelta:
    return timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS)


def live_sessions_of(user: User):
    """The sessions `user` may see and end: their own, not ended and within both timeouts (past
    ones are ended on their next request). Another user's session is never among them."""
    now = timezone_now()
    return UserSession.objects.filter(
        user=user,
        ended_at__isnull=True,
        created_at__gt=now - absolute_timeout(),
        last_seen_at__gt=now - idle_timeout_for(user),
    )
