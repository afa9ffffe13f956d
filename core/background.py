"""Background jobs: the plumbing every app's tasks.py shares.

Two modes, chosen by CELERY_BROKER_URL:

- a broker (Redis in production): `enqueue` publishes the task after the transaction commits and
  a `celery -A healthpro worker` runs it, on any host sharing the broker;
- none (the embedded default): the task runs in this process after the transaction commits, once,
  so `make run` needs nothing else; a failure is logged and counted, and what the task was to do
  stays recorded (an e-mail stays queued for `manage.py email_outbox_sweep`).

Task arguments are ids (ints): never PHI, tokens, passwords or addresses, which would sit in the
broker and in its logs. Each task run has its own request id (core.request_context), so its log
lines and audit rows carry one; a run that fails is logged with it and counted in the shared
cache (`job_failures`, shown on the admin's dashboard). A broker that is down fails no request:
the task is not published, that is logged and counted, and the work it names is still recorded
in the database for its sweeper.
"""

import logging
import uuid
from functools import partial

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from core.request_context import RequestContext, context_enter, context_exit

logger = logging.getLogger("healthpro.jobs")

FAILURES_KEY_PREFIX = "healthpro:jobs:failures:"
FAILURES_NAMES_KEY = "healthpro:jobs:failures:names"
# The counters live in the shared cache: long enough for an admin to notice, not for ever.
FAILURES_TTL_SECONDS = 30 * 24 * 3600


def runs_in_process() -> bool:
    """True without a broker: tasks run in this process after commit."""
    return not settings.CELERY_BROKER_URL


def enqueue(name: str, *ids: int) -> None:
    """Run the task `name` (its registered name) with `ids` once the current transaction commits
    (at once outside a transaction). A rolled-back transaction runs nothing."""
    if any(not isinstance(value, int) or isinstance(value, bool) for value in ids):
        raise TypeError("Task arguments are ids (int), never values.")
    transaction.on_commit(partial(_dispatch, name, ids))


def _dispatch(name: str, ids: tuple[int, ...]) -> None:
    if runs_in_process():
        run_in_process(name, *ids)
        return
    try:
        # A connection of its own per publish: cheap on Redis, and no pool to go stale.
        with current_app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
            current_app.send_task(
                name,
                args=list(ids),
                connection=connection,
                queue=settings.CELERY_TASK_DEFAULT_QUEUE,
                retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY,
            )
    except Exception as error:
        # The request that enqueued has committed its rows: the sweeper finds them.
        logger.error("Job %s not published: %s. Its sweeper will pick the work up.", name, type(error).__name__)
        job_failure_count(name)


def run_in_process(name: str, *ids: int) -> bool:
    """Run a registered task here and now, once, under a request id of its own; True when it
    succeeded. A failure is logged and counted, never raised: the caller's request succeeded."""
    task = current_app.tasks[name]
    token = context_enter(task_context(name))
    try:
        task(*ids)
    except Exception as error:
        job_failure_record(name, error)
        return False
    finally:
        context_exit(token)
    return True


def task_context(name: str) -> RequestContext:
    """A task run's context: a request id of its own (its log lines and audit rows carry it)."""
    return RequestContext(request_id=uuid.uuid4().hex, client_ip=None, user_agent=f"task {name}"[:256])


def job_failure_record(name: str, error: BaseException, *, attempt: int | None = None) -> None:
    """Log a failed run (the exception's class, never its message: it may quote values) and count it."""
    logger.error(
        "Job %s failed%s: %s",
        name,
        "" if attempt is None else f" (attempt {attempt})",
        type(error).__name__,
    )
    job_failure_count(name)


def job_failure_count(name: str) -> None:
    key = FAILURES_KEY_PREFIX + name
    try:
        if not cache.add(key, 1, FAILURES_TTL_SECONDS):
            cache.incr(key)
        names = set(cache.get(FAILURES_NAMES_KEY) or ())
        if name not in names:
            cache.set(FAILURES_NAMES_KEY, sorted(names | {name}), FAILURES_TTL_SECONDS)
    except Exception as error:  # a cache that is down must not hide the failure being logged
        logger.error("Job failure of %s not counted: %s", name, type(error).__name__)


def job_failures() -> dict[str, int]:
    """{task name: failed runs} of the last FAILURES_TTL_SECONDS, from the shared cache."""
    try:
        names = cache.get(FAILURES_NAMES_KEY) or []
        counts = cache.get_many([FAILURES_KEY_PREFIX + name for name in names])
    except Exception:
        return {}
    return {name: counts[FAILURES_KEY_PREFIX + name] for name in names if counts.get(FAILURES_KEY_PREFIX + name)}


def worker_task_prerun(task_id=None, task=None, **kwargs) -> None:
    """Celery's task_prerun signal (connected in the Celery app): the run's request id."""
    task.request.healthpro_context_token = context_enter(task_context(task.name))


def worker_task_postrun(task_id=None, task=None, **kwargs) -> None:
    token = getattr(task.request, "healthpro_context_token", None)
    if token is not None:
        context_exit(token)
        task.request.healthpro_context_token = None


def worker_task_failure(sender=None, exception=None, **kwargs) -> None:
    """Celery's task_failure signal: a run that failed for good (retries exhausted) is counted."""
    job_failure_record(sender.name, exception, attempt=sender.request.retries + 1)


def worker_task_retry(sender=None, reason=None, **kwargs) -> None:
    """Celery's task_retry signal: an attempt that failed and will be tried again, logged."""
    error = getattr(reason, "exc", None) or reason
    logger.warning(
        "Job %s attempt %s failed: %s; retrying", sender.name, sender.request.retries + 1, type(error).__name__
    )
