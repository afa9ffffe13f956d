"""The Celery app and its schedule: JSON only, acknowledged late, one schedule whose every entry
is a registered task with a command an operator can run by hand."""

import pytest
from django.conf import settings
from django.core.management import get_commands

from audit.services import record_security_event
from audit.tests.helpers import tamper
from core import background
from healthpro import celery_app
from tests.cache import clear_cache

# Each scheduled task and the command that does the same by hand.
COMMANDS = {
    "accounts.email_outbox_sweep": "email_outbox_sweep",
    "accounts.sessions_cleanup": "sessions_cleanup",
    "accounts.refresh_tokens_flush_expired": "flushexpiredtokens",
    "audit.verify_audit_log": "verify_audit_log",
    "healthpro.backup_nightly": "backup",
    "compliance.appointment_reminders_send": "send_appointment_reminders",
    "compliance.request_due_reminders_send": "send_request_reminders",
    "compliance.exports_purge": "purge_expired_exports",
    "compliance.incident_deadline_reminders_send": "send_incident_reminders",
}


def test_messages_are_json_only_never_pickle():
    conf = celery_app.conf
    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json" and conf.result_serializer == "json"
    assert conf.task_ignore_result is True


def test_tasks_are_acknowledged_after_the_run_one_at_a_time_with_limits():
    conf = celery_app.conf
    assert conf.task_acks_late is True and conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_connection_retry_on_startup is True
    assert conf.task_time_limit and conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit


def test_every_scheduled_job_is_a_registered_task_and_a_command():
    celery_app.loader.import_default_modules()  # what a worker and beat do at start
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == set(COMMANDS)
    assert scheduled <= set(celery_app.tasks)
    assert set(COMMANDS.values()) <= set(get_commands())


@pytest.mark.django_db
def test_the_audit_check_job_fails_on_a_tampered_chain_and_is_counted():
    clear_cache()
    events = [record_security_event(action="test.scheduled", details={"n": n}) for n in range(3)]
    assert background.run_in_process("audit.verify_audit_log")
    assert background.job_failures() == {}
    tamper("UPDATE audit_auditevent SET outcome = 'failure' WHERE id = %s", [events[1].id])
    assert not background.run_in_process("audit.verify_audit_log")
    assert background.job_failures() == {"audit.verify_audit_log": 1}
