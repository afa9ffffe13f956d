"""Signed, single-use, expiring links: e-mail verification (signup) and staff invitations.

Built like Django's password reset token (which the reset uses as is, with PASSWORD_RESET_TIMEOUT):
an HMAC under SECRET_KEY of a timestamp and of account state that using the link changes. The
account becomes active, its `activation_pending` is cleared and (for invitations) its password is
set, so a used link no longer matches; sending a new link changes `activation_sent_at`, which voids
the older ones; the timestamp makes it expire. Nothing is stored: the outbox renders a link from
the account when it sends the message (accounts.services.emails).
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from accounts.models import ActivationKind


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    kind: ActivationKind
    timeout_setting: str

    @property
    def timeout_seconds(self) -> int:
        return getattr(settings, self.timeout_setting)

    def _make_hash_value(self, user, timestamp):
        sent_at = "" if user.activation_sent_at is None else user.activation_sent_at.replace(microsecond=0, tzinfo=None)
        return (
            f"{user.pk}|{user.email}|{user.password}|{user.is_active}|{user.activation_pending}|{sent_at}|{timestamp}"
        )

    def check_token(self, user, token):
        """Django's check, with this link's own lifetime, and only for an account awaiting this link."""
        if not (user and token) or user.activation_pending != self.kind:
            return False
        try:
            ts_b36, _ = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return 0 <= self._num_seconds(self._now()) - timestamp <= self.timeout_seconds


class EmailVerificationTokenGenerator(ActivationTokenGenerator):
    key_salt = "healthpro.accounts.EmailVerificationTokenGenerator"
    kind = ActivationKind.SIGNUP
    timeout_setting = "EMAIL_VERIFICATION_TIMEOUT_SECONDS"


class InvitationTokenGenerator(ActivationTokenGenerator):
    key_salt = "healthpro.accounts.InvitationTokenGenerator"
    kind = ActivationKind.INVITATION
    timeout_setting = "INVITATION_TIMEOUT_SECONDS"


email_verification_token_generator = EmailVerificationTokenGenerator()
invitation_token_generator = InvitationTokenGenerator()


def uidb64_for(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def verification_link(user, base_url: str) -> str:
    token = email_verification_token_generator.make_token(user)
    return base_url + reverse("accounts:verify_email", args=[uidb64_for(user), token])


def invitation_link(user, base_url: str) -> str:
    token = invitation_token_generator.make_token(user)
    return base_url + reverse("accounts:invitation_accept", args=[uidb64_for(user), token])


def password_reset_link(user, base_url: str) -> str:
    token = default_token_generator.make_token(user)
    return base_url + reverse("accounts:password_reset_confirm", args=[uidb64_for(user), token])
