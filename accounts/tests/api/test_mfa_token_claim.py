"""A refused request consumes no recovery code. The code step claims the
MFA token before it checks any code: a request that cannot claim it is refused untouched, and a
wrong code gives the claim back so the user may try again within the lockout's limit."""

import threading
from concurrent.futures import ThreadPoolExecutor
from unittest import mock

import pytest
from django.db import connections
from rest_framework.test import APIClient
from rest_framework_simplejwt.state import token_backend

from accounts.api.views import AuthApi
from accounts.models import RecoveryCode
from accounts.roles import Role
from accounts.services.mfa import recovery_codes_regenerate
from accounts.services.tokens import mfa_token_claim
from accounts.tests.mfa_helpers import confirmed_device

TOKEN = "/api/v1/auth/token/"
MFA = "/api/v1/auth/token/mfa/"


def mfa_token_for(user, password) -> str:
    answer = APIClient().post(TOKEN, {"email": user.email, "password": password}, format="json")
    assert answer.status_code == 200 and answer.json()["mfa_required"]
    return answer.json()["mfa_token"]


@pytest.fixture
def doctor_with_codes(make_user):
    doctor = make_user(Role.DOCTOR)
    confirmed_device(doctor)
    return doctor, recovery_codes_regenerate(actor=doctor)


@pytest.mark.django_db
def test_a_request_that_cannot_claim_the_token_consumes_no_recovery_code(doctor_with_codes, password):
    doctor, codes = doctor_with_codes
    mfa_token = mfa_token_for(doctor, password)
    assert mfa_token_claim(token_backend.decode(mfa_token)["jti"]), "another request holds the token"
    answer = APIClient().post(MFA, {"mfa_token": mfa_token, "code": codes[0]}, format="json")
    assert answer.status_code == 401
    assert RecoveryCode.objects.filter(device__user=doctor).count() == len(codes), "no code was touched"


@pytest.mark.django_db
def test_a_wrong_code_gives_the_token_back_and_the_next_right_code_passes(doctor_with_codes, password):
    doctor, codes = doctor_with_codes
    mfa_token = mfa_token_for(doctor, password)
    wrong = APIClient().post(MFA, {"mfa_token": mfa_token, "code": "aaaa-bbbb-cccc"}, format="json")
    assert wrong.status_code == 401
    right = APIClient().post(MFA, {"mfa_token": mfa_token, "code": codes[0]}, format="json")
    assert right.status_code == 200 and set(right.json()) == {"access", "refresh"}
    again = APIClient().post(MFA, {"mfa_token": mfa_token, "code": codes[1]}, format="json")
    assert again.status_code == 401, "used once"
    assert RecoveryCode.objects.filter(device__user=doctor).count() == len(codes) - 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_recovery_codes_with_one_token_consume_only_the_one_that_passed(doctor_with_codes, password):
    doctor, codes = doctor_with_codes
    mfa_token = mfa_token_for(doctor, password)
    barrier = threading.Barrier(4)

    def send(code):
        client = APIClient()
        barrier.wait()
        try:
            return client.post(MFA, {"mfa_token": mfa_token, "code": code}, format="json").status_code
        finally:
            connections.close_all()

    with mock.patch.object(AuthApi, "throttle_classes", []), ThreadPoolExecutor(max_workers=4) as pool:
        statuses = sorted(pool.map(send, codes[:4]))
    print(f"\n4 recovery codes in parallel with one mfa_token: {statuses}")
    assert statuses == [200, 401, 401, 401]
    assert RecoveryCode.objects.filter(device__user=doctor).count() == len(codes) - 1, "only the code that passed"
