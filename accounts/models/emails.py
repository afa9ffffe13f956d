"""The e-mail outbox: one row per message to send (OutgoingEmail).

A row names a template, the recipient's account and the context that is not secret (no link
carrying a token, no password, no code: a link is rendered from the account when the message is
sent), so it may be kept, shown to admins and retried. The address is read from the account at
send time and never stored here; neither is the rendered message.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from accounts.models.users import User

# One first attempt and up to five retries, with exponential back-off (accounts.tasks).
EMAIL_MAX_ATTEMPTS = 6
# Context keys that would carry a secret: refused by clean(), so no caller can store one.
FORBIDDEN_CONTEXT_KEYS = ("link", "token", "password", "code", "secret", "key")


class OutgoingEmail(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    template = models.CharField(max_length=64)
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="outgoing_emails")
    context = models.JSONField(default=dict, blank=True)
    base_url = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The exception's class and a fixed description, never its message (which may quote the address).
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="accounts_outgoingemail_status")]
        verbose_name = "outgoing e-mail"

    def __str__(self):
        return f"E-mail #{self.pk} ({self.template}, {self.status})"

    def clean(self):
        bad = [name for name in self.context if any(part in name.lower() for part in FORBIDDEN_CONTEXT_KEYS)]
        if bad:
            raise ValidationError({"context": f"Secrets are never stored in the outbox: {', '.join(sorted(bad))}."})
