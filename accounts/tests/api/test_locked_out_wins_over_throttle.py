"""A client can tell "you are locked out until T" from "slow down": under the default limits (5
failures, THROTTLE_AUTH 10/min) a locked client is answered `locked_out` with the time the lock
ends, not `throttled`; a client that is only throttled stays `throttled`."""

import time
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from healthpro.tests.test_api import error_of

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
WRONG = "Wrong-Password-1234"


def clear_of_a_window_boundary(seconds: int = 60, margin: float = 5.0) -> None:
    into = time.time() % seconds
    if into > seconds - margin:
        time.sleep(seconds - into + 0.1)


def test_a_locked_client_is_told_locked_out_until_when_even_once_throttled(make_user, password):
    clear_of_a_window_boundary()
    patient = make_user(Role.PATIENT)
    client = APIClient(REMOTE_ADDR="203.0.113.80")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(TOKEN, {"email": patient.email, "password": WRONG}, format="json")
    answers = [client.post(TOKEN, {"email": patient.email, "password": password}, format="json") for _ in range(8)]
    for answer in answers:
        error = error_of(answer, 429, "locked_out")
        until = datetime.fromisoformat(error["details"]["locked_until"])
        assert until.tzinfo is not None and until.utcoffset() == timedelta(0)
        assert timezone.now() < until <= timezone.now() + timedelta(minutes=15)
        assert 0 < int(answer["Retry-After"]) <= 15 * 60


def test_a_client_that_is_only_throttled_is_told_throttled(make_user, password):
    clear_of_a_window_boundary()
    patient = make_user(Role.PATIENT)
    client = APIClient(REMOTE_ADDR="203.0.113.81")
    statuses = [
        client.post(TOKEN, {"email": patient.email, "password": password}, format="json").status_code for _ in range(10)
    ]
    assert statuses == [200] * 10
    error = error_of(client.post(TOKEN, {"email": patient.email, "password": password}, format="json"), 429)
    assert error["code"] == "throttled"
