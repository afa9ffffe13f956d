"""Commits in tests that run inside the test database's transaction (pytest-django's `db`).

Such a test never commits, so `transaction.on_commit` callbacks (e-mails, background jobs in
their in-process mode: core.background) would never run, and a test could not see what the
application does after a commit. `commits_emulated` runs them where production would: when the
application's outermost atomic block exits without a rollback (a savepoint inside the test's
transaction), or at once when a callback is registered outside any block of the application
(autocommit). Rolled-back blocks drop their callbacks as Django does. Tests on a real database
transaction (transaction=True, live_server) commit for real and are left alone.
"""

import logging
from contextlib import contextmanager
from unittest import mock

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.transaction import Atomic, get_connection

logger = logging.getLogger("tests.commits")


def _only_test_blocks(connection) -> bool:
    blocks = connection.atomic_blocks
    return bool(connection.in_atomic_block and blocks) and all(block._from_testcase for block in blocks)


def _run_committed(connection) -> None:
    while connection.run_on_commit and _only_test_blocks(connection) and not connection.needs_rollback:
        _, callback, robust = connection.run_on_commit.pop(0)
        if robust:
            try:
                callback()
            except Exception:
                logger.exception("Error calling an on_commit() callback")
        else:
            callback()


@contextmanager
def commits_emulated():
    original_exit = Atomic.__exit__
    original_on_commit = BaseDatabaseWrapper.on_commit

    def atomic_exit(self, exc_type, exc_value, traceback):
        result = original_exit(self, exc_type, exc_value, traceback)
        connection = get_connection(self.using)
        if not self._from_testcase and _only_test_blocks(connection):
            _run_committed(connection)
        return result

    def on_commit(self, func, robust=False):
        original_on_commit(self, func, robust)
        if _only_test_blocks(self):
            _run_committed(self)

    with (
        mock.patch.object(Atomic, "__exit__", atomic_exit),
        mock.patch.object(BaseDatabaseWrapper, "on_commit", on_commit),
    ):
        yield
