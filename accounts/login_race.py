"""Fire parallel wrong-password attempts at one account and count the real password checks.

Used by the PostgreSQL test of the lockout (accounts/tests/test_lockout_race.py) and by
`manage.py bench_login`. Each attempt runs in its own thread with its own Django client and its own
database connection; all are released together by a barrier. `max_in_flight` caps how many run
inside the server at once, as a pool of server workers would (PostgreSQL allows 100 connections
by default: 200 attempts all holding a connection at once would exhaust it, which is a deployment
limit, not the race under test).
"""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from unittest import mock

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connections
from django.test import Client

from accounts.api.views import AuthApi

API_TOKEN_PATH = "/api/v1/auth/token/"  # noqa: S105  (a URL path)
PAGE_LOGIN_PATH = "/accounts/login/"


@dataclass
class RaceResult:
    attempts: int
    statuses: Counter = field(default_factory=Counter)
    password_checks: int = 0
    seconds: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)


class _CountingHasher:
    """Counts Argon2 verify calls: each is one real password check."""

    def __init__(self):
        self.calls = 0
        self._lock = threading.Lock()
        original = Argon2PasswordHasher.verify

        def verify(hasher, password, encoded):
            with self._lock:
                self.calls += 1
            return original(hasher, password, encoded)

        self.verify = verify


def client_host() -> str:
    hosts = [host for host in settings.ALLOWED_HOSTS if host not in ("*", "") and not host.startswith(".")]
    return hosts[0] if hosts else "localhost"


def fire_wrong_passwords(
    *, email: str, attempts: int, path: str = API_TOKEN_PATH, max_in_flight: int = 80, remote_addr: str = "203.0.113.7"
) -> RaceResult:
    result = RaceResult(attempts=attempts)
    counter = _CountingHasher()
    barrier = threading.Barrier(attempts)
    in_flight = threading.BoundedSemaphore(min(max_in_flight, attempts))
    if path == API_TOKEN_PATH:
        data, content_type = {"email": email, "password": "Wrong-password-0000"}, "application/json"
    else:
        data, content_type = {"username": email, "password": "Wrong-password-0000"}, None

    def attempt(_index: int) -> int:
        client = Client(raise_request_exception=False, REMOTE_ADDR=remote_addr, HTTP_HOST=client_host())
        barrier.wait()
        with in_flight:
            try:
                if content_type:
                    response = client.post(path, data, content_type=content_type, secure=True)
                else:
                    response = client.post(path, data, secure=True)
                return response.status_code
            finally:
                connections.close_all()

    # The "auth" throttle would answer most of these 429 before any password check; the lockout
    # is what is measured here, so the throttle is off for the run.
    with (
        mock.patch.object(Argon2PasswordHasher, "verify", counter.verify),
        mock.patch.object(AuthApi, "throttle_classes", []),
    ):
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=attempts) as pool:
            statuses = list(pool.map(attempt, range(attempts)))
        result.seconds = time.perf_counter() - started
    result.statuses = Counter(statuses)
    result.password_checks = counter.calls
    return result
