"""The e-mail outbox (accounts.services.emails): every e-mail is a row sent after commit; no link,
token or address is stored or queued; a send is idempotent; SMTP failures are counted, retried
and, in the end, marked failed and shown to admins, who may queue them again."""

import logging
import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import EMAIL_MAX_ATTEMPTS, OutgoingEmail
from accounts.roles import Role
from accounts.services import emails
from accounts.services.emails import email_outbox_sweep, email_queue, outgoing_email_retry, outgoing_email_send
from accounts.services.passwords import password_reset_request
from accounts.tests.helpers import force_verified_login, only_link_to
from core import background
from tests.cache import clear_cache

pytestmark = pytest.mark.django_db

BASE_URL = "https://healthpro.example.org"


def reset(email: str, client_ip: str = "203.0.113.5") -> None:
    password_reset_request(email=email, base_url=BASE_URL, client_ip=client_ip)


def failing_send(error):
    return mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=error)


def queued_unsent(template="password_changed", **kwargs) -> OutgoingEmail:
    """A row as a broker that was down leaves it: queued, never published."""
    with mock.patch.object(emails, "enqueue"):
        return email_queue(template=template, context={"how": "reset"}, **kwargs)


def test_an_e_mail_is_sent_after_commit_and_not_at_all_when_the_transaction_rolls_back(make_user):
    user = make_user()
    with transaction.atomic():
        email_queue(template="password_changed", recipient=user, context={"how": "change"})
        assert mail.outbox == [], "nothing is sent before commit"
    assert [m.to for m in mail.outbox] == [[user.email]]
    with transaction.atomic():
        email_queue(template="password_changed", recipient=user, context={"how": "change"})
        transaction.set_rollback(True)
    assert len(mail.outbox) == 1
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT


def test_the_outbox_stores_no_link_token_or_address_and_the_link_is_made_at_send_time(make_user):
    user = make_user(email="ada.canary@example.test")
    reset(user.email)
    email = OutgoingEmail.objects.get()
    link = only_link_to(user.email, "/accounts/password/reset/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_outgoingemail")
        raw = repr(cursor.fetchall())
    assert token not in raw and "ada.canary" not in raw and "/reset/" not in raw
    assert email.context == {} and email.recipient_id == user.pk and email.base_url == BASE_URL
    assert email.status == OutgoingEmail.Status.SENT and email.attempts == 1 and email.sent_at is not None


@pytest.mark.parametrize("name", ["link", "reset_link", "token", "password", "code", "api_key"])
def test_the_model_refuses_to_store_a_secret_in_the_context(make_user, name):
    with pytest.raises(ValidationError):
        email_queue(template="password_changed", recipient=make_user(), context={name: "value"})
    assert not OutgoingEmail.objects.exists()


def test_the_address_is_the_account_s_when_the_message_is_sent(make_user):
    user = make_user(email="old@example.test")
    email = queued_unsent(recipient=user)
    user.email = "new@example.test"
    user.save(update_fields=["email"])
    outgoing_email_send(outgoing_email_id=email.pk)
    assert [m.to for m in mail.outbox] == [["new@example.test"]]


def test_a_send_is_idempotent_a_second_run_sends_nothing(make_user):
    email = queued_unsent(recipient=make_user())
    assert outgoing_email_send(outgoing_email_id=email.pk) is True
    assert outgoing_email_send(outgoing_email_id=email.pk) is False
    assert outgoing_email_send(outgoing_email_id=0) is False, "an id no row has: nothing to do"
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.attempts == 1


def test_an_smtp_failure_is_counted_kept_for_a_retry_and_names_no_address(make_user, caplog):
    user = make_user(email="grace.canary@example.test")
    email = queued_unsent(recipient=user)
    refused = smtplib.SMTPRecipientsRefused({user.email: (550, b"no such user grace.canary@example.test")})
    with failing_send(refused), caplog.at_level(logging.INFO), pytest.raises(smtplib.SMTPRecipientsRefused):
        outgoing_email_send(outgoing_email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.QUEUED and email.attempts == 1
    assert email.last_error == "SMTPRecipientsRefused: the server refused the recipient"
    assert "grace.canary" not in caplog.text
    assert f"E-mail {email.pk} (password_changed) attempt 1 failed" in caplog.text
    outgoing_email_send(outgoing_email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT and email.attempts == 2 and email.last_error == ""
    assert len(mail.outbox) == 1


def test_after_the_last_attempt_the_message_is_marked_failed(make_user):
    email = queued_unsent(recipient=make_user())
    with failing_send(smtplib.SMTPServerDisconnected("gone")):
        for _ in range(EMAIL_MAX_ATTEMPTS):
            with pytest.raises(smtplib.SMTPServerDisconnected):
                outgoing_email_send(outgoing_email_id=email.pk)
        assert outgoing_email_send(outgoing_email_id=email.pk) is False, "a failed message is not tried again"
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED and email.attempts == EMAIL_MAX_ATTEMPTS
    assert mail.outbox == []


def test_an_error_no_retry_can_mend_fails_the_message_at_once(make_user):
    email = queued_unsent(recipient=make_user())
    with (
        mock.patch.object(emails, "render_to_string", side_effect=LookupError("template bug")),
        pytest.raises(LookupError),
    ):
        outgoing_email_send(outgoing_email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.FAILED and email.attempts == 1 and email.last_error == "LookupError"


def test_an_in_process_failure_fails_no_request_and_the_sweeper_sends_it_later(client, make_user):
    clear_cache()
    user = make_user()
    with failing_send(ConnectionRefusedError(111, "refused")):
        response = client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert response.status_code == 302
    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.QUEUED and email.attempts == 1
    assert background.job_failures() == {"accounts.email_send": 1}

    assert email_outbox_sweep() == 0, "tried a moment ago: not yet"
    OutgoingEmail.objects.filter(pk=email.pk).update(
        created_at=timezone.now() - timedelta(hours=1), last_attempt_at=timezone.now() - timedelta(hours=1)
    )
    assert email_outbox_sweep() == 1
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT and email.attempts == 2
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_with_the_broker_down_a_request_answers_as_usual_and_the_row_waits_for_the_sweeper(client, make_user, settings):
    user = make_user()
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_done")
    email = OutgoingEmail.objects.get()
    assert email.status == OutgoingEmail.Status.QUEUED and email.attempts == 0
    assert mail.outbox == []

    settings.CELERY_BROKER_URL = ""  # the broker is back (here: in-process)
    OutgoingEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert email_outbox_sweep() == 1
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_the_sweeper_leaves_sent_failed_and_recent_rows_alone(make_user):
    user = make_user()
    old = timezone.now() - timedelta(hours=1)
    waiting = queued_unsent(recipient=user)
    recent = queued_unsent(recipient=user)
    sent = queued_unsent(recipient=user)
    failed = queued_unsent(recipient=user)
    OutgoingEmail.objects.filter(pk__in=[waiting.pk, sent.pk, failed.pk]).update(created_at=old)
    OutgoingEmail.objects.filter(pk=sent.pk).update(status=OutgoingEmail.Status.SENT)
    OutgoingEmail.objects.filter(pk=failed.pk).update(status=OutgoingEmail.Status.FAILED)
    with mock.patch.object(emails, "enqueue") as enqueue:
        assert email_outbox_sweep() == 1
    enqueue.assert_called_once_with("accounts.email_send", waiting.pk)
    assert recent.pk != waiting.pk


def test_the_task_arguments_are_the_row_id_only(make_user):
    with mock.patch.object(background, "_dispatch") as dispatch:
        reset(make_user().email)
    [(name, ids)] = [call.args for call in dispatch.call_args_list]
    assert name == "accounts.email_send" and ids == (OutgoingEmail.objects.get().pk,)


def test_retry_queues_failed_messages_again_and_leaves_others(make_user):
    admin = make_user(Role.ADMIN)
    failed = queued_unsent(recipient=make_user())
    sent = queued_unsent(recipient=make_user())
    OutgoingEmail.objects.filter(pk=failed.pk).update(status=OutgoingEmail.Status.FAILED, attempts=6, last_error="X")
    outgoing_email_send(outgoing_email_id=sent.pk)
    assert outgoing_email_retry(actor=admin, email_ids=[failed.pk, sent.pk]) == 1
    failed.refresh_from_db()
    assert failed.status == OutgoingEmail.Status.SENT and failed.attempts == 1
    assert len(mail.outbox) == 2


def _sign_in_admin_site(user) -> Client:
    return force_verified_login(Client(), user)


def test_admins_see_failed_messages_and_retry_them_in_the_admin(make_user):
    admin = make_user(Role.ADMIN, is_staff=True)
    recipient = make_user(email="outbox.canary@example.test")
    failed = queued_unsent(recipient=recipient)
    OutgoingEmail.objects.filter(pk=failed.pk).update(status=OutgoingEmail.Status.FAILED, attempts=6)
    client = _sign_in_admin_site(admin)
    changelist = reverse("admin:accounts_outgoingemail_changelist")

    listing = client.get(changelist, {"status__exact": "failed"})
    assert listing.status_code == 200
    assert b"password_changed" in listing.content and b"outbox.canary" not in listing.content
    dashboard = client.get(reverse("dashboard"))
    assert b"1 e-mail failed" in dashboard.content

    response = client.post(changelist, {"action": "retry", "_selected_action": [failed.pk]}, follow=True)
    assert response.status_code == 200
    assert b"1 failed e-mail(s) queued again." in response.content
    failed.refresh_from_db()
    assert failed.status == OutgoingEmail.Status.SENT
    assert b"No e-mail has failed." in client.get(reverse("dashboard")).content


def test_the_outbox_admin_is_read_only_and_shows_no_message(make_user):
    admin = make_user(Role.ADMIN, is_staff=True)
    email = queued_unsent(recipient=make_user())
    client = _sign_in_admin_site(admin)
    change = client.get(reverse("admin:accounts_outgoingemail_change", args=[email.pk]))
    assert change.status_code == 200 and b'name="status"' not in change.content
    assert (
        client.post(reverse("admin:accounts_outgoingemail_change", args=[email.pk]), {"status": "sent"}).status_code
        == 403
    )
    assert client.get(reverse("admin:accounts_outgoingemail_add")).status_code == 403
    assert (
        client.post(reverse("admin:accounts_outgoingemail_delete", args=[email.pk]), {"post": "yes"}).status_code == 403
    )
    assert OutgoingEmail.objects.filter(pk=email.pk, status=OutgoingEmail.Status.QUEUED).exists()


def test_other_roles_cannot_retry_or_see_the_failures(make_user):
    compliance = make_user(Role.COMPLIANCE, is_staff=True)
    failed = queued_unsent(recipient=make_user())
    OutgoingEmail.objects.filter(pk=failed.pk).update(status=OutgoingEmail.Status.FAILED)
    client = _sign_in_admin_site(compliance)
    changelist = reverse("admin:accounts_outgoingemail_changelist")
    assert client.get(changelist).status_code == 403
    client.post(changelist, {"action": "retry", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.status == OutgoingEmail.Status.FAILED
    assert b"failed" not in client.get(reverse("dashboard")).content
    for role in (Role.DOCTOR, Role.PATIENT):
        page = force_verified_login(Client(), make_user(role)).get(reverse("dashboard"))
        assert page.status_code == 200 and b"E-mails and background jobs" not in page.content


def test_a_reset_for_an_unknown_address_does_the_work_of_a_known_one_and_keeps_nothing(make_user):
    """Same e-mail rendering, the same outbox insert (rolled back), the same after-commit task."""
    known = make_user()

    def work(email, ip):
        with (
            mock.patch.object(emails, "render_account_email", wraps=emails.render_account_email) as built,
            mock.patch.object(background, "run_in_process", wraps=background.run_in_process) as ran,
            CaptureQueriesContext(connection) as queries,
        ):
            reset(email, ip)
        statements = [query["sql"].split(None, 1)[0].upper() for query in queries.captured_queries]
        return {
            "built": built.call_count,
            "tasks": [c.args[0] for c in ran.call_args_list],
            "inserts": statements.count("INSERT"),
        }

    known_work = work(known.email, "203.0.113.1")
    unknown_work = work("nobody@example.test", "203.0.113.2")
    assert known_work["built"] == unknown_work["built"] == 1
    assert known_work["tasks"] == unknown_work["tasks"] == ["accounts.email_send"]
    assert known_work["inserts"] == unknown_work["inserts"]
    assert OutgoingEmail.objects.count() == 1 and [m.to for m in mail.outbox] == [[known.email]]
