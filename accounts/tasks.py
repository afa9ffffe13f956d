"""Background jobs of accounts: thin, ids in, a service call inside (README "Background jobs")."""

import smtplib

from celery import shared_task
from django.conf import settings

from accounts.models import EMAIL_MAX_ATTEMPTS
from accounts.services.emails import email_outbox_sweep, outgoing_email_send
from accounts.services.sessions import sessions_cleanup as sessions_cleanup_run
from accounts.services.tokens import refresh_tokens_flush_expired as refresh_tokens_flush_expired_run


@shared_task(
    name="accounts.email_send",
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=settings.EMAIL_RETRY_BACKOFF_SECONDS,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=EMAIL_MAX_ATTEMPTS - 1,
)
def email_send(outgoing_email_id: int) -> None:
    """Send one queued e-mail; a retry of a message already sent does nothing."""
    outgoing_email_send(outgoing_email_id=outgoing_email_id)


@shared_task(name="accounts.email_outbox_sweep")
def email_outbox_sweep_task() -> None:
    email_outbox_sweep()


@shared_task(name="accounts.sessions_cleanup")
def sessions_cleanup() -> None:
    sessions_cleanup_run()


@shared_task(name="accounts.refresh_tokens_flush_expired")
def refresh_tokens_flush_expired() -> None:
    refresh_tokens_flush_expired_run()
