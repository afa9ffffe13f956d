"""Recovery codes as a django-otp device, so django_otp.match_token covers them with TOTP.

Codes are stored as an HMAC-SHA256 under a key derived from SECRET_KEY: a reader of the database
alone cannot turn a stored row into a usable code. Each code works once. A code is checked under
SECRET_KEY and under each of SECRET_KEY_FALLBACKS, so codes made before a rotation keep working
until the old key is removed; they rotate with SECRET_KEY (new codes are made under the current
key, and codes made under a key that is no longer listed stop working).
"""

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django_otp.models import Device


def _recovery_code_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"healthpro.accounts.recovery-codes", hashlib.sha256).digest()


def normalize_recovery_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def recovery_code_digest(code: str, *, secret: str | None = None) -> str:
    """The stored form of `code`, under SECRET_KEY (or the given earlier key)."""
    key = _recovery_code_key(settings.SECRET_KEY if secret is None else secret)
    return hmac.new(key, normalize_recovery_code(code).encode(), hashlib.sha256).hexdigest()


def recovery_code_digests(code: str) -> list[str]:
    """The digests `code` may be stored under: SECRET_KEY's, then each fallback's."""
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return [recovery_code_digest(code, secret=key) for key in keys]


class RecoveryCodeDevice(Device):
    """A user's set of single-use recovery codes. One per user; regenerating replaces the codes."""

    class Meta:
        verbose_name = "recovery code set"

    def verify_token(self, token):
        if not token:
            return False
        digests = recovery_code_digests(str(token))
        # Deleting the matching row is the "use": a second request with the same code finds nothing.
        deleted, _ = self.codes.filter(code_digest__in=digests).delete()
        return deleted > 0

    @property
    def remaining(self) -> int:
        return self.codes.count()


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, related_name="codes", on_delete=models.CASCADE)
    code_digest = models.CharField(max_length=64, db_index=True)

    def __str__(self):
        return f"Recovery code #{self.pk}"
