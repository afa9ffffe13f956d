"""E-mails, through an outbox: every message is an OutgoingEmail row (accounts.models.emails),
written in the caller's transaction, and sent after it commits by the task `accounts.email_send`
(a Celery worker, or in-process without a broker: core.background).

Each message is a plain-text and an HTML template (templates/emails/<name>.txt and .html),
rendered when it is sent, from the row and the recipient's account: the address is the account's
at that moment, and a link that carries a token (reset, verification, invitation) is made then
from the account's state (accounts.services.link_tokens), so no token is ever stored or queued.
Links are absolute, built from the base URL of the request that asked (validated by ALLOWED_HOSTS).

Sending is idempotent: only a queued row is sent, under a row lock taken with SKIP LOCKED, so
two runs for one row send it once. A failure is counted on the row (attempts, the error's class);
after EMAIL_MAX_ATTEMPTS it is marked failed, listed for admins, who may queue it again. Logs
name the row's id, template and attempt, never the address or the content.

Enumeration: for an address without an account, `email_queue_rehearsal` does what queueing does
(the row written, then rolled back; the same publish or in-process lookup after commit; the
same rendering in-process) and sends nothing.
"""

import logging
import smtplib
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timesince, timezone

from accounts.models import EMAIL_MAX_ATTEMPTS, OutgoingEmail, User
from accounts.services.link_tokens import invitation_link, password_reset_link, verification_link
from core.background import enqueue, runs_in_process

logger = logging.getLogger("healthpro.accounts.emails")

EMAIL_SEND_TASK = "accounts.email_send"
# The id a rehearsal publishes: no row has it, so the task finds nothing to send.
NO_EMAIL_ID = 0

SUBJECTS = {
    "verify_email": "Confirm your e-mail address for HealthPro",
    "signup_existing_account": "Someone tried to register with your e-mail address",
    "invitation": "You are invited to HealthPro",
    "password_reset": "Reset your HealthPro password",
    "password_changed": "Your HealthPro password was changed",
    "new_device": "New sign-in to your HealthPro account",
    "recovery_code_used": "A HealthPro recovery code was used",
    "break_glass_opened": "A break-the-glass access to review",
    "appointment_reminder": "Reminder: your appointment",
    "data_subject_request_due": "A data-subject request assigned to you is due soon",
    "incident_deadline_reminder": "HealthPro: an incident notification deadline is approaching",
}


def render_account_email(*, template: str, to: str, context: dict) -> EmailMultiAlternatives:
    context = {"site_name": "HealthPro", **context}
    message = EmailMultiAlternatives(
        subject=SUBJECTS[template],
        body=render_to_string(f"emails/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    return message


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _template_context(email: OutgoingEmail, user: User) -> dict:
    """The template's context: the stored values, and what is made at send time (links)."""
    stored = email.context
    base_url = email.base_url
    match email.template:
        case "password_reset":
            return {"link": password_reset_link(user, base_url), "minutes": settings.PASSWORD_RESET_TIMEOUT // 60}
        case "verify_email":
            return {
                "link": verification_link(user, base_url),
                "hours": settings.EMAIL_VERIFICATION_TIMEOUT_SECONDS // 3600,
            }
        case "invitation":
            return {
                "link": invitation_link(user, base_url),
                "hours": settings.INVITATION_TIMEOUT_SECONDS // 3600,
                "role": user.role,
            }
        case "signup_existing_account":
            return {"reset_link": base_url + reverse("accounts:password_reset")}
        case "new_device":
            return {**stored, "when": _moment(stored.get("when"))}
        case "recovery_code_used":
            return {**stored, "used_at": _moment(stored.get("used_at"))}
        case "appointment_reminder":
            return {**stored, "starts_at": _moment(stored.get("starts_at"))}
        case "incident_deadline_reminder":
            due_at = _moment(stored.get("due_at"))
            remaining = due_at - timezone.now() if due_at else None
            return {
                **stored,
                "due_at": due_at,
                "remaining": timesince.timeuntil(due_at) if remaining and remaining.total_seconds() > 0 else "",
                "link": base_url + stored.get("path", ""),
            }
        case "data_subject_request_due":
            return {**stored, "due_on": date.fromisoformat(stored["due_on"])}
        case "break_glass_opened":
            actor = User.objects.filter(pk=stored.get("actor_id")).first()
            role = actor.role if actor else None
            return {
                **stored,
                "actor_name": (actor.full_name if actor else "") or f"User #{stored.get('actor_id')}",
                "actor_role": role.label if role else "no role",
                "started_at": _moment(stored.get("started_at")),
                "expires_at": _moment(stored.get("expires_at")),
            }
    return dict(stored)


def outgoing_email_render(email: OutgoingEmail, *, user: User | None = None) -> EmailMultiAlternatives:
    """The message of an outbox row, for its recipient (or `user`, a rehearsal's stand-in)."""
    user = user or email.recipient
    context = {"user": user, **_template_context(email, user)}
    return render_account_email(template=email.template, to=user.email, context=context)


def _outgoing_email_new(*, template: str, recipient: User, context: dict | None, base_url: str) -> OutgoingEmail:
    if template not in SUBJECTS:
        raise ValueError(f"No e-mail template {template!r}.")
    email = OutgoingEmail(template=template, recipient=recipient, context=context or {}, base_url=base_url)
    # The recipient is an account the caller holds: no query to check that it exists.
    email.full_clean(exclude=["recipient"])
    email.save()
    return email


@transaction.atomic
def email_queue(*, template: str, recipient: User, context: dict | None = None, base_url: str = "") -> OutgoingEmail:
    """Record a message to `recipient` in the caller's transaction; it is sent after commit.

    `context` holds only what is not secret (the model refuses names such as link or token)."""
    email = _outgoing_email_new(template=template, recipient=recipient, context=context, base_url=base_url)
    enqueue(EMAIL_SEND_TASK, email.pk)
    return email


def email_queue_rehearsal(*, template: str, stand_in: User, context: dict | None = None, base_url: str = "") -> None:
    """The work of `email_queue` for an address without an account, and nothing sent.

    `stand_in` is an unsaved account (pk 0) for that address. Its row is written and rolled back;
    after commit the same task is published for an id no row has (a broker) or run here, where it
    finds nothing, and the message is rendered for the stand-in (in-process, as the real one is)."""
    with transaction.atomic():
        email = _outgoing_email_new(template=template, recipient=stand_in, context=context, base_url=base_url)
        transaction.set_rollback(True)
    enqueue(EMAIL_SEND_TASK, NO_EMAIL_ID)
    if runs_in_process():
        transaction.on_commit(lambda: outgoing_email_render(email, user=stand_in).message())


def _safe_error(error: BaseException) -> str:
    """The error's class and, for an SMTP answer, its code: never its text, which may quote an address."""
    name = type(error).__name__
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{name}: the server answered {error.smtp_code}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return f"{name}: the server refused the recipient"
    if isinstance(error, OSError) and error.errno:
        return f"{name}: errno {error.errno}"
    return name


def is_retryable(error: BaseException) -> bool:
    """Worth another attempt: the mail server or the network, not a template or a missing account."""
    return isinstance(error, smtplib.SMTPException | OSError)


def outgoing_email_send(*, outgoing_email_id: int) -> bool:
    """Send a queued message once; True when it was sent now, False when there is nothing to do
    (sent already, failed for good, being sent by another run, or no such row).

    A failure is recorded on the row (and, after the last attempt or for an error no retry can
    mend, the row is marked failed) and then raised, so that the task retries or fails."""
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=outgoing_email_id, status=OutgoingEmail.Status.QUEUED)
            .first()
        )
        if email is None:
            return False
        now = timezone.now()
        email.attempts += 1
        email.last_attempt_at = now
        try:
            outgoing_email_render(email).send()
        except Exception as error:
            email.last_error = _safe_error(error)[:200]
            if email.attempts >= EMAIL_MAX_ATTEMPTS or not is_retryable(error):
                email.status = OutgoingEmail.Status.FAILED
            email.save(update_fields=["attempts", "last_attempt_at", "last_error", "status"])
            failure = error
        else:
            email.status = OutgoingEmail.Status.SENT
            email.sent_at = now
            email.last_error = ""
            email.save(update_fields=["attempts", "last_attempt_at", "last_error", "status", "sent_at"])
            logger.info("E-mail %s (%s) sent at attempt %s", email.pk, email.template, email.attempts)
            return True
    logger.warning(
        "E-mail %s (%s) attempt %s failed: %s%s",
        email.pk,
        email.template,
        email.attempts,
        email.last_error,
        "; marked failed" if email.status == OutgoingEmail.Status.FAILED else "",
    )
    raise failure


def email_outbox_sweep(*, older_than: timedelta | None = None) -> int:
    """Publish again every queued message that has waited longer than `older_than` since it was
    queued or last tried (a broker that was down, a worker that died, an in-process attempt that
    failed); returns how many. Sending twice is harmless: only a queued row is sent."""
    older_than = older_than or timedelta(minutes=settings.EMAIL_OUTBOX_SWEEP_AFTER_MINUTES)
    cutoff = timezone.now() - older_than
    waiting = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED, created_at__lt=cutoff).exclude(
        last_attempt_at__gte=cutoff
    )
    ids = list(waiting.order_by("pk").values_list("pk", flat=True))
    for email_id in ids:
        enqueue(EMAIL_SEND_TASK, email_id)
    if ids:
        logger.info("Outbox sweep: %s queued e-mail(s) published again", len(ids))
    return len(ids)


@transaction.atomic
def outgoing_email_retry(*, actor: User, email_ids: list[int]) -> int:
    """Queue failed messages again (the admin's retry action), with their attempts reset; returns
    how many. The caller has checked that `actor` may change outgoing e-mails."""
    ids = list(
        OutgoingEmail.objects.select_for_update()
        .filter(pk__in=email_ids, status=OutgoingEmail.Status.FAILED)
        .values_list("pk", flat=True)
    )
    OutgoingEmail.objects.filter(pk__in=ids).update(status=OutgoingEmail.Status.QUEUED, attempts=0, last_error="")
    for email_id in ids:
        enqueue(EMAIL_SEND_TASK, email_id)
    logger.info("%s failed e-mail(s) queued again by user %s", len(ids), actor.pk)
    return len(ids)
