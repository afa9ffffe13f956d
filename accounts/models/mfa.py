"""Recovery codes as a django-otp device, so django_otp.match_token covers them with TOTP.

Codes are stored as an HMAC-SHA256 under a key derived from SECRET_KEY (accounts.mfa): a reader of
the database alone cannot turn a stored row into a usable code. Each code works once.
"""

from django.db import models
from django_otp.models import Device


class RecoveryCodeDevice(Device):
    """A user's set of single-use recovery codes. One per user; regenerating replaces the codes."""

    class Meta:
        verbose_name = "recovery code set"

    def verify_token(self, token):
        from accounts.mfa import recovery_code_digest

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
