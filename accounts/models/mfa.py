"""Recovery codes as a django-otp device, so django_otp.match_token covers them with TOTP.

Codes are stored as an HMAC-SHA256 under a key derived from SECRET_KEY: a reader of the database
alone cannot turn a stored row into a usable code (and rotating SECRET_KEY invalidates them:
regenerate after a rotation). Each code works once.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django_otp.models import Device


def _recovery_code_key() -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), b"healthpro.accounts.recovery-codes", hashlib.sha256).digest()


def normalize_recovery_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def recovery_code_digest(code: str) -> str:
    return hmac.new(_recovery_code_key(), normalize_recovery_code(code).encode(), hashlib.sha256).hexdigest()


class RecoveryCodeDevice(Device):
    """A user's set of single-use recovery codes. One per user; regenerating replaces the codes."""

    class Meta:
        verbose_name = "recovery code set"

    def verify_token(self, token):
        if not token:
            return False
        digest = recovery_code_digest(str(token))
        # Deleting the matching row is the "use": a second request with the same code finds nothing.
        deleted, _ = self.codes.filter(code_digest=digest).delete()
        return deleted > 0

    @property
    def remaining(self) -> int:
        return self.codes.count()


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, related_name="codes", on_delete=models.CASCADE)
    code_digest = models.CharField(max_length=64, db_index=True)

    def __str__(self):
        return f"Recovery code #{self.pk}"
