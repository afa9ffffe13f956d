"""Across paths: wrong passwords at the admin login lock it as they
lock the page login, and a lockout earned on one path (page, admin, API) holds on the others for
the same address and client, the right password and code included."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.mfa_helpers import confirmed_device, totp_code
from audit.models import AuditEvent
from healthpro.tests.test_api import error_of

pytestmark = pytest.mark.django_db

WRONG = "Wrong-Password-1234"


def admin_login(client, user, password, device):
    data = {"username": user.email, "password": password, "otp_device": device.persistent_id}
    return client.post(reverse("admin:login"), {**data, "otp_token": totp_code(device)})


def test_wrong_passwords_at_the_admin_login_lock_it(make_user, password):
    admin = make_user(Role.ADMIN)
    device = confirmed_device(admin)
    client = Client()
    statuses = [
        client.post(
            reverse("admin:login"), {"username": admin.email, "password": WRONG, "otp_token": "000000"}
        ).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert admin_login(client, admin, password, device).status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302
    assert AuditEvent.objects.filter(action="auth.lockout", target_user_id=admin.pk).exists()


@pytest.mark.parametrize("locked_on", ["page", "api"])
def test_a_lockout_earned_on_one_path_holds_on_every_other(locked_on, make_user, password):
    admin = make_user(Role.ADMIN)
    device = confirmed_device(admin)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        if locked_on == "page":
            Client().post(reverse("accounts:login"), {"username": admin.email, "password": WRONG})
        else:
            APIClient().post("/api/v1/auth/token/", {"email": admin.email, "password": WRONG}, format="json")

    page = Client().post(reverse("accounts:login"), {"username": admin.email, "password": password})
    assert page.status_code == 429
    assert admin_login(Client(), admin, password, device).status_code == 429
    api = APIClient().post("/api/v1/auth/token/", {"email": admin.email, "password": password}, format="json")
    error_of(api, 429, "locked_out")


def test_the_lockout_is_for_that_client_only_and_a_forged_forwarded_for_does_not_escape_it(make_user, password):
    patient = make_user(Role.PATIENT)
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [
        attacker.post(
            reverse("accounts:login"),
            {"username": patient.email, "password": WRONG},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",  # a new address each time: no proxy vouches for it
        ).status_code
        for n in range(settings.AXES_FAILURE_LIMIT + 2)
    ]
    assert statuses[settings.AXES_FAILURE_LIMIT - 1 :] == [429] * 3
    owner = Client(REMOTE_ADDR="192.0.2.44")
    response = owner.post(reverse("accounts:login"), {"username": patient.email, "password": password})
    assert response.status_code == 302, "the owner, from their own address, still signs in"
