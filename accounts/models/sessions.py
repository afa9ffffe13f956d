"""Signed-in browser sessions (UserSession) and the names the session middleware and services share.

A UserSession row is created at every login and is the authority for that session:
accounts.middleware.UserSessionMiddleware refuses a session whose row is missing or ended. Only a
SHA-256 of the session key is stored; the session itself holds the row's id (USER_SESSION_ID_KEY).
"""

import hashlib

from django.db import models
from django.utils import timezone

from accounts.models.users import User

USER_SESSION_ID_KEY = "_healthpro_user_session_id"


class EndReason:
    SIGNED_OUT = "signed_out"
    SIGNED_OUT_ELSEWHERE = "signed_out_by_user"
    SIGNED_IN_AGAIN = "signed_in_again"
    IDLE = "idle_timeout"
    ABSOLUTE = "absolute_timeout"
    PASSWORD_CHANGE = "password_change"  # noqa: S105  (a reason, not a password)
    PASSWORD_RESET = "password_reset"  # noqa: S105  (the name of a reason, not a password)
    ROLE_CHANGE = "role_change"
    DEACTIVATION = "deactivation"
    MFA_CHANGE = "mfa_change"


def hash_session_key(session_key: str | None) -> str:
    return hashlib.sha256((session_key or "").encode()).hexdigest()


class UserSession(models.Model):
    """One signed-in browser session. The row is the authority: a session whose row is gone or
    ended is refused on its next request (accounts.middleware). Only a hash of the key is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="web_sessions")
    session_key_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=256, blank=True)
    device_label = models.CharField(max_length=100, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        indexes = [models.Index(fields=["user", "ended_at"], name="accounts_usersession_live")]

    def __str__(self):
        return f"Session #{self.pk}"
