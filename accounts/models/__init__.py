"""The models of accounts, one module per subject; imported here so `accounts.models.User` works."""

from accounts.models.emails import EMAIL_MAX_ATTEMPTS, OutgoingEmail
from accounts.models.mfa import RecoveryCode, RecoveryCodeDevice
from accounts.models.sessions import USER_SESSION_ID_KEY, EndReason, UserSession, hash_session_key
from accounts.models.users import ActivationKind, KnownDevice, PasswordHistory, User, UserManager

__all__ = [
    "EMAIL_MAX_ATTEMPTS",
    "USER_SESSION_ID_KEY",
    "ActivationKind",
    "EndReason",
    "KnownDevice",
    "OutgoingEmail",
    "PasswordHistory",
    "RecoveryCode",
    "RecoveryCodeDevice",
    "User",
    "UserManager",
    "UserSession",
    "hash_session_key",
]
