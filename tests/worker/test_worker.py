"""A real `celery -A healthpro worker` on Redis: an e-mail goes through the queue, and a failed
delivery is retried and then delivered.

The worker is a process of its own on the test database (PostgreSQL, reached by name: the tests
commit, transaction=True), with this run's secrets and queue (healthpro.settings_test keeps them
for HEALTHPRO_TEST_WORKER=1) and Django's file e-mail backend behind tests.worker.flaky_backend.
Marked `worker`: run with PostgreSQL and REDIS_URL, required when REQUIRE_POSTGRES=1 (conftest).
The broker is TEST_CELERY_BROKER_URL, else REDIS_URL.
"""

import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import OutgoingEmail
from accounts.services.passwords import password_reset_request
from accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

READY_SECONDS = 60
DELIVERY_SECONDS = 30


@dataclass
class Worker:
    broker_url: str
    mail_dir: Path
    failures_file: Path
    log_file: Path

    def messages(self) -> list[str]:
        return [path.read_text() for path in sorted(self.mail_dir.iterdir())]

    def log(self) -> str:
        return self.log_file.read_text()


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{quote(db['USER'], safe='')}{password}@{host}/{db['NAME']}"


def _wait_for(condition, seconds: float, what: str, log=lambda: "") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {seconds} s. Worker log:\n{log()[-4000:]}")


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory):
    folder = tmp_path_factory.mktemp("worker")
    mail_dir = folder / "mail"
    mail_dir.mkdir()
    log_file = folder / "worker.log"
    broker_url = os.environ.get("TEST_CELERY_BROKER_URL") or os.environ["REDIS_URL"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "healthpro.settings_test",
        "HEALTHPRO_TEST_WORKER": "1",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker_url,
        "HEALTHPRO_TEST_EMAIL_BACKEND": "tests.worker.flaky_backend.FlakyEmailBackend",
        "HEALTHPRO_TEST_EMAIL_FILE_PATH": str(mail_dir),
        "HEALTHPRO_TEST_EMAIL_FAILURES": str(folder / "failures"),
        "LOG_FORMAT": "text",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "healthpro", "worker",
        "--pool", "solo", "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--queues", settings.CELERY_TASK_DEFAULT_QUEUE, "--hostname", f"test-{secrets.token_hex(4)}@%h",
    ]  # fmt: skip
    with log_file.open("w") as log:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    started = Worker(broker_url, mail_dir, folder / "failures", log_file)
    try:
        _wait_for(
            lambda: "ready." in started.log() or process.poll() is not None,
            READY_SECONDS,
            "the worker start",
            started.log,
        )
        assert process.poll() is None, f"the worker stopped:\n{started.log()[-4000:]}"
        yield started
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def on_the_broker(settings, worker):
    settings.CELERY_BROKER_URL = worker.broker_url
    for path in worker.mail_dir.iterdir():
        path.unlink()
    worker.failures_file.write_text("0")
    return worker


def _reset_for(email: str) -> OutgoingEmail:
    password_reset_request(email=email, base_url="https://healthpro.example.org", client_ip="203.0.113.77")
    return OutgoingEmail.objects.get(recipient__email=email)


def _sent(email_id: int) -> bool:
    return OutgoingEmail.objects.get(pk=email_id).status == OutgoingEmail.Status.SENT


def test_an_e_mail_goes_through_the_queue_and_a_real_worker_sends_it(on_the_broker):
    user = UserFactory(email=f"queue-{secrets.token_hex(3)}@example.test")
    queued = _reset_for(user.email)
    assert queued.status == OutgoingEmail.Status.QUEUED, "published, not sent in the request"
    _wait_for(lambda: _sent(queued.pk), DELIVERY_SECONDS, "the delivery", on_the_broker.log)

    [message] = on_the_broker.messages()
    assert f"To: {user.email}" in message and "/accounts/password/reset/" in message
    queued.refresh_from_db()
    assert queued.attempts == 1
    log = on_the_broker.log()
    assert f"E-mail {queued.pk} (password_reset) sent at attempt 1" in log
    assert user.email not in log, "the worker logs ids, never the address"


def test_a_failed_delivery_is_retried_by_the_worker_and_then_delivered(on_the_broker):
    on_the_broker.failures_file.write_text("1")
    user = UserFactory(email=f"retry-{secrets.token_hex(3)}@example.test")
    queued = _reset_for(user.email)
    _wait_for(lambda: _sent(queued.pk), DELIVERY_SECONDS, "the retried delivery", on_the_broker.log)

    queued.refresh_from_db()
    assert queued.attempts == 2 and queued.last_error == ""
    assert on_the_broker.failures_file.read_text() == "0", "the first attempt did fail"
    [message] = on_the_broker.messages()
    assert f"To: {user.email}" in message
    log = on_the_broker.log()
    assert f"E-mail {queued.pk} (password_reset) attempt 1 failed: SMTPServerDisconnected" in log
    assert "Job accounts.email_send attempt 1 failed: SMTPServerDisconnected; retrying" in log
    assert f"E-mail {queued.pk} (password_reset) sent at attempt 2" in log
    assert user.email not in log
