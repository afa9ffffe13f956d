"""Under parallel requests on PostgreSQL + Redis (CI's PostgreSQL run): right
sign-ins from one address, in parallel, use up nothing of its limit; attempts made in parallel
during a per-IP lock do not extend it. Each request runs in its own thread with its own client and
database connection, as in accounts/tests/test_lockout_race.py."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from django.db import connections
from rest_framework.test import APIClient

from accounts.api.views import AuthApi
from accounts.roles import Role
from accounts.tests.mfa_helpers import confirmed_device, totp_code

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NAT = "203.0.113.60"
WRONG = "Wrong-Password-1234"


def run_parallel(task, items, *, in_flight: int):
    """task(item) for every item, `in_flight` threads at a time, each closing its connection."""

    def run(item):
        try:
            return task(item)
        finally:
            connections.close_all()

    with mock.patch.object(AuthApi, "throttle_classes", []), ThreadPoolExecutor(max_workers=in_flight) as pool:
        return list(pool.map(run, items))


def api_sign_in(user, code, password, ip=NAT) -> int:
    client = APIClient(REMOTE_ADDR=ip)
    first = client.post("/api/v1/auth/token/", {"email": user.email, "password": password}, format="json")
    if first.status_code != 200:
        return first.status_code
    body = {"mfa_token": first.json()["mfa_token"], "code": code}
    return client.post("/api/v1/auth/token/mfa/", body, format="json").status_code


def test_parallel_staff_sign_ins_from_one_address_use_up_nothing_of_its_limit(settings, make_user, password):
    settings.LOGIN_IP_FAILURE_LIMIT = 10
    staff = [(user, totp_code(confirmed_device(user))) for user in (make_user(Role.NURSE) for _ in range(40))]
    statuses = run_parallel(lambda pair: api_sign_in(*pair, password), staff, in_flight=8)
    print(f"\n40 staff sign-ins, 8 in flight, LOGIN_IP_FAILURE_LIMIT=10: {sorted(statuses)}")
    assert statuses == [200] * 40
    patient = make_user(Role.PATIENT)
    answer = APIClient(REMOTE_ADDR=NAT).post(
        "/api/v1/auth/token/", {"email": patient.email, "password": password}, format="json"
    )
    assert answer.status_code == 200


def test_parallel_attempts_during_a_per_ip_lock_do_not_extend_it(settings, make_user, password):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = 3 / 3600  # three seconds
    patient = make_user(Role.PATIENT)
    strangers = [make_user().email for _ in range(3)]
    run_parallel(
        lambda email: APIClient(REMOTE_ADDR=NAT).post(
            "/api/v1/auth/token/", {"email": email, "password": WRONG}, format="json"
        ),
        strangers,
        in_flight=3,
    )
    locked_at = time.monotonic()
    stop = threading.Event()

    def keep_trying(_):
        statuses = []
        while not stop.is_set() and time.monotonic() - locked_at < 2.7:
            answer = APIClient(REMOTE_ADDR=NAT).post(
                "/api/v1/auth/token/", {"email": patient.email, "password": password}, format="json"
            )
            statuses.append(answer.status_code)
        return statuses

    during = [status for statuses in run_parallel(keep_trying, range(6), in_flight=6) for status in statuses]
    assert during and set(during) == {429}, "locked while the cool-off runs, the right password included"
    time.sleep(max(0.0, 3.3 - (time.monotonic() - locked_at)))
    answer = APIClient(REMOTE_ADDR=NAT).post(
        "/api/v1/auth/token/", {"email": patient.email, "password": password}, format="json"
    )
    print(f"\n{len(during)} attempts during a 3 s per-IP lock; after it: {answer.status_code}")
    assert answer.status_code == 200, "the lock lifted three seconds after it began"
