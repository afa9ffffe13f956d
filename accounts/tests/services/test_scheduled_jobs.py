"""The scheduled jobs of accounts: session clean-up and the expired refresh tokens, each one a
task (run by beat) and a command an operator can run by hand, doing the same."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import EndReason, UserSession
from accounts.services.tokens import token_pair_issue
from accounts.tasks import refresh_tokens_flush_expired, sessions_cleanup
from core import background

pytestmark = pytest.mark.django_db


def session_row(user, *, created, ended=None):
    return UserSession.objects.create(
        user=user, session_key_hash="x" * 64, created_at=created, last_seen_at=created, ended_at=ended
    )


@pytest.mark.parametrize("run", ["task", "command"])
def test_session_cleanup_ends_overdue_records_deletes_old_ones_and_expired_django_sessions(make_user, run):
    user = make_user()
    now = timezone.now()
    absolute = timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS)
    overdue = session_row(user, created=now - absolute - timedelta(minutes=1))
    live = session_row(user, created=now - timedelta(minutes=5))
    old = session_row(
        user, created=now - timedelta(days=200), ended=now - timedelta(days=settings.USER_SESSION_RETENTION_DAYS + 1)
    )
    recent_end = session_row(user, created=now - timedelta(days=3), ended=now - timedelta(days=2))
    expired = SessionStore()
    expired.set_expiry(1)
    expired.create()
    fresh = SessionStore()
    fresh.create()
    with freeze_time(now + timedelta(seconds=5)):
        if run == "task":
            assert background.run_in_process("accounts.sessions_cleanup")
        else:
            call_command("sessions_cleanup")
    overdue.refresh_from_db()
    assert overdue.ended_at is not None and overdue.end_reason == EndReason.ABSOLUTE
    assert UserSession.objects.get(pk=live.pk).ended_at is None
    assert not UserSession.objects.filter(pk=old.pk).exists()
    assert UserSession.objects.filter(pk=recent_end.pk).exists()
    assert not Session.objects.filter(session_key=expired.session_key).exists()
    assert Session.objects.filter(session_key=fresh.session_key).exists()


@pytest.mark.parametrize("run", ["task", "command"])
def test_expired_refresh_tokens_and_their_blacklist_rows_are_flushed_and_live_ones_kept(make_user, run):
    user = make_user()
    with freeze_time(timezone.now() - timedelta(days=3)):
        token_pair_issue(user=user, mfa=False)
    old = OutstandingToken.objects.get(user=user)
    BlacklistedToken.objects.create(token=old)
    token_pair_issue(user=user, mfa=False)
    live = OutstandingToken.objects.exclude(pk=old.pk).get(user=user)
    if run == "task":
        refresh_tokens_flush_expired()
    else:
        call_command("flushexpiredtokens")
    assert list(OutstandingToken.objects.values_list("pk", flat=True)) == [live.pk]
    assert not BlacklistedToken.objects.exists()


def test_the_session_cleanup_task_is_registered_under_its_schedule_name():
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "accounts.sessions_cleanup",
        "accounts.refresh_tokens_flush_expired",
        "accounts.email_outbox_sweep",
    } <= names
    assert sessions_cleanup.name == "accounts.sessions_cleanup"
