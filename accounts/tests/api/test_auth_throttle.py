"""The "auth" throttle of the sign-in API is one atomic counter in the shared cache
(core.throttles): parallel calls from one address cannot pass its limit (DRF's own cache throttle
reads then writes, and let 14 to 20 of 30 parallel calls through a limit of 10)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from rest_framework.test import APIClient

from healthpro.tests.test_api import error_of

REFRESH = "/api/v1/auth/token/refresh/"


@pytest.fixture
def auth_rate(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "auth": "10/min"},
    }


def clear_of_a_window_boundary(seconds: int = 60, margin: float = 5.0) -> None:
    """The windows are aligned to the clock: start a burst well inside one."""
    into = time.time() % seconds
    if into > seconds - margin:
        time.sleep(seconds - into + 0.1)


@pytest.mark.django_db
def test_the_eleventh_call_in_a_minute_is_throttled_with_retry_after(auth_rate):
    clear_of_a_window_boundary()
    client = APIClient(REMOTE_ADDR="203.0.113.70")
    statuses = [client.post(REFRESH, {"refresh": "x"}, format="json").status_code for _ in range(10)]
    assert statuses == [401] * 10
    answer = client.post(REFRESH, {"refresh": "x"}, format="json")
    error_of(answer, 429, "throttled")
    assert 1 <= int(answer["Retry-After"]) <= 60
    other = APIClient(REMOTE_ADDR="203.0.113.71").post(REFRESH, {"refresh": "x"}, format="json")
    assert other.status_code == 401, "another address has its own count"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_calls_from_one_address_let_at_most_the_limit_through(auth_rate):
    clear_of_a_window_boundary()
    barrier = threading.Barrier(30)

    def call(_):
        client = APIClient(REMOTE_ADDR="203.0.113.72")
        barrier.wait()
        try:
            return client.post(REFRESH, {"refresh": "x"}, format="json").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=30) as pool:
        statuses = list(pool.map(call, range(30)))
    print(f"\n30 parallel calls, THROTTLE_AUTH=10/min: {statuses.count(401)} through, {statuses.count(429)} throttled")
    assert statuses.count(401) == 10
    assert statuses.count(429) == 20
