"""Only failures count towards a lockout, per account and per address; a
right sign-in (code step included) consumes nothing; a lock lifts a cool-off after it began,
whatever is tried meanwhile. Every path: the sign-in page with its code step, and the token API
with its MFA step."""

from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from accounts.api.views import AuthApi
from accounts.roles import Role
from accounts.tests.mfa_helpers import confirmed_device, totp_code
from healthpro.tests.test_api import error_of

pytestmark = pytest.mark.django_db

NAT = "203.0.113.50"
WRONG = "Wrong-Password-1234"
LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:mfa_verify")


def page_sign_in(user, password, ip=NAT):
    """The whole sign-in on the pages: password, then the code. The status of the code step."""
    device = confirmed_device(user)
    client = Client(REMOTE_ADDR=ip)
    response = client.post(LOGIN, {"username": user.email, "password": password})
    assert response.status_code == 302 and response["Location"].startswith(VERIFY), response.status_code
    return client.post(VERIFY, {"code": totp_code(device)}).status_code


def api_sign_in(user, password, ip=NAT):
    device = confirmed_device(user)
    client = APIClient(REMOTE_ADDR=ip)
    first = client.post("/api/v1/auth/token/", {"email": user.email, "password": password}, format="json")
    assert first.status_code == 200 and first.json()["mfa_required"], first.content
    body = {"mfa_token": first.json()["mfa_token"], "code": totp_code(device)}
    return client.post("/api/v1/auth/token/mfa/", body, format="json").status_code


@pytest.fixture
def no_api_throttle():
    """The throttle is not what is measured here (accounts/tests/api/test_auth_throttle.py is)."""
    with mock.patch.object(AuthApi, "throttle_classes", []):
        yield


def test_completed_staff_sign_ins_on_the_pages_use_up_nothing_of_the_per_ip_limit(settings, make_user, password):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    statuses = [page_sign_in(make_user(Role.DOCTOR), password) for _ in range(12)]
    assert statuses == [302] * 12, "a clinic behind one address signs in all day"
    patient = make_user(Role.PATIENT)
    answer = APIClient(REMOTE_ADDR=NAT).post(
        "/api/v1/auth/token/", {"email": patient.email, "password": password}, format="json"
    )
    assert answer.status_code == 200, "the patients behind that address too"


def test_completed_staff_sign_ins_on_the_api_use_up_nothing_of_the_per_ip_limit(
    settings, make_user, password, no_api_throttle
):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    assert [api_sign_in(make_user(Role.NURSE), password) for _ in range(8)] == [200] * 8


def test_failures_still_count_towards_the_per_ip_limit_whatever_the_account(settings, make_user, password):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    for _ in range(3):
        assert Client(REMOTE_ADDR=NAT).post(LOGIN, {"username": make_user().email, "password": WRONG}).status_code
    response = Client(REMOTE_ADDR=NAT).post(LOGIN, {"username": make_user(Role.PATIENT).email, "password": password})
    assert response.status_code == 429
    elsewhere = Client(REMOTE_ADDR="198.51.100.20")
    assert elsewhere.post(LOGIN, {"username": make_user(Role.PATIENT).email, "password": password}).status_code == 302


def test_a_wrong_code_counts_and_a_right_password_before_it_does_not(settings, make_user, password):
    settings.AXES_FAILURE_LIMIT = 3
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own back-off is not what is measured
    doctor = make_user(Role.DOCTOR)
    device = confirmed_device(doctor)
    wrong = "000000" if totp_code(device) != "000000" else "111111"
    for code, expected in ((wrong, 200), (wrong, 200), (totp_code(device), 302)):
        client = Client(REMOTE_ADDR=NAT)
        assert client.post(LOGIN, {"username": doctor.email, "password": password}).status_code == 302
        assert client.post(VERIFY, {"code": code}).status_code == expected
    client = Client(REMOTE_ADDR=NAT)
    client.post(LOGIN, {"username": doctor.email, "password": password})
    for _ in range(3):
        client.post(VERIFY, {"code": wrong})
    assert client.post(LOGIN, {"username": doctor.email, "password": password}).status_code == 429, (
        "the completed sign-in forgave the first two; three new wrong codes lock"
    )


def test_a_per_ip_lock_lifts_a_cool_off_after_it_began_whatever_is_tried_meanwhile(settings, make_user, password):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    patient = make_user(Role.PATIENT)
    start = timezone.now()
    with freeze_time(start):
        for _ in range(3):
            Client(REMOTE_ADDR=NAT).post(LOGIN, {"username": make_user().email, "password": WRONG})
    for minute in range(1, 15):
        with freeze_time(start + timedelta(minutes=minute)):
            for credentials in ({"username": make_user().email, "password": WRONG}, {"username": patient.email}):
                answer = Client(REMOTE_ADDR=NAT).post(LOGIN, {"password": password, **credentials})
                assert answer.status_code == 429, minute
    with freeze_time(start + timedelta(minutes=15, seconds=1)):
        answer = Client(REMOTE_ADDR=NAT).post(LOGIN, {"username": patient.email, "password": password})
    assert answer.status_code == 302, "fifteen minutes after the lock began it is gone"


def test_an_account_lock_lifts_a_cool_off_after_it_began_whatever_is_tried_meanwhile(settings, make_user, password):
    patient = make_user(Role.PATIENT)
    start = timezone.now()
    with freeze_time(start):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            APIClient(REMOTE_ADDR=NAT).post(
                "/api/v1/auth/token/", {"email": patient.email, "password": WRONG}, format="json"
            )
    for minute in (5, 10, 14):
        with freeze_time(start + timedelta(minutes=minute)):
            answer = APIClient(REMOTE_ADDR=NAT).post(
                "/api/v1/auth/token/", {"email": patient.email, "password": password}, format="json"
            )
            error_of(answer, 429, "locked_out")
    with freeze_time(start + timedelta(minutes=15, seconds=1)):
        answer = APIClient(REMOTE_ADDR=NAT).post(
            "/api/v1/auth/token/", {"email": patient.email, "password": password}, format="json"
        )
    assert answer.status_code == 200
