"""Background-job plumbing (core.background): after commit, ids only, a request id per run, a
failure logged and counted, a broker that is down fails no caller."""

import logging

import pytest
from celery import shared_task
from django.db import transaction

from core import background
from core.request_context import current_context
from tests.cache import clear_cache

pytestmark = pytest.mark.django_db

RUNS: list[tuple[int, str | None]] = []


@shared_task(name="tests.core.record_run")
def record_run(value: int) -> None:
    context = current_context()
    RUNS.append((value, context.request_id if context else None))


@shared_task(name="tests.core.fail")
def fail(value: int) -> None:
    raise ConnectionRefusedError(f"cannot reach the server for patient Canary-{value}")


@pytest.fixture(autouse=True)
def _no_runs():
    RUNS.clear()
    clear_cache()
    yield
    RUNS.clear()


def test_a_task_runs_in_process_after_commit_and_not_before():
    with transaction.atomic():
        background.enqueue("tests.core.record_run", 7)
        assert RUNS == [], "nothing runs before the transaction commits"
    assert [value for value, _ in RUNS] == [7]


def test_a_rolled_back_transaction_runs_nothing():
    with transaction.atomic():
        background.enqueue("tests.core.record_run", 8)
        transaction.set_rollback(True)
    assert RUNS == []


def test_each_run_has_a_request_id_of_its_own():
    background.enqueue("tests.core.record_run", 1)
    background.enqueue("tests.core.record_run", 2)
    ids = [request_id for _, request_id in RUNS]
    assert len(ids) == 2 and all(ids) and ids[0] != ids[1]
    assert current_context() is None, "the run's context does not leak into the caller"


@pytest.mark.parametrize("value", ["ada@example.test", 1.5, True, None, b"1"])
def test_task_arguments_are_ids_never_values(value):
    with pytest.raises(TypeError):
        background.enqueue("tests.core.record_run", value)


def test_a_failed_run_is_logged_with_its_request_id_and_counted_and_the_caller_goes_on(caplog):
    with caplog.at_level(logging.INFO, logger="healthpro.jobs"):
        background.enqueue("tests.core.fail", 3)
        background.enqueue("tests.core.fail", 4)
    assert background.job_failures() == {"tests.core.fail": 2}
    [first, second] = [record for record in caplog.records if record.name == "healthpro.jobs"]
    assert "tests.core.fail" in first.getMessage() and "ConnectionRefusedError" in first.getMessage()
    assert first.request_id and second.request_id and first.request_id != second.request_id
    assert "Canary" not in caplog.text, "the exception's message (it may quote values) is not logged"


def test_a_broker_that_is_down_fails_no_caller_and_is_logged_and_counted(settings, caplog):
    # Nothing listens on port 1: the publish is refused at once.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    with caplog.at_level(logging.ERROR, logger="healthpro.jobs"), transaction.atomic():
        background.enqueue("tests.core.record_run", 5)
    assert RUNS == [], "not run in-process either: a worker is expected to run it"
    assert background.job_failures() == {"tests.core.record_run": 1}
    assert "not published" in caplog.text


def test_without_a_broker_tasks_run_in_process(settings):
    settings.CELERY_BROKER_URL = ""
    assert background.runs_in_process()
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/6"
    assert not background.runs_in_process()
