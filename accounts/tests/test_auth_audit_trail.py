"""For the API's authentication: each step of a staff member's token life
(password, wrong code, right code, refresh, sign-out) and a wrong password leaves exactly one
audit row of its own kind, with actor, outcome, time, client IP and request id; re-activation of
an account is recorded too."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.services.users import user_set_active
from accounts.tests.mfa_helpers import confirmed_device, totp_code, wrong_code
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

CLIENT_IP = "198.51.100.23"


def step(client, path, body, *, status):
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    response = client.post(path, body, format="json")
    assert response.status_code == status, response.content
    rows = list(AuditEvent.objects.exclude(pk__in=before))
    return response, rows


def only(rows, action, outcome, actor):
    matching = [row for row in rows if row.action == action]
    assert len(matching) == 1, [(row.action, row.outcome) for row in rows]
    row = matching[0]
    assert (row.outcome, row.actor_id, row.client_ip) == (outcome, actor.pk, CLIENT_IP)
    assert row.occurred_at is not None and len(row.request_id) == 32
    return row


def test_every_step_of_the_token_life_leaves_its_one_row(make_user, password):
    doctor = make_user(Role.DOCTOR)
    device = confirmed_device(doctor)
    client = APIClient(REMOTE_ADDR=CLIENT_IP)

    response, rows = step(client, "/api/v1/auth/token/", {"email": doctor.email, "password": password}, status=200)
    only(rows, "auth.mfa_challenge", "success", doctor)
    mfa_token = response.json()["mfa_token"]

    _, rows = step(client, "/api/v1/auth/token/mfa/", {"mfa_token": mfa_token, "code": wrong_code(device)}, status=401)
    only(rows, "mfa.verify", "failure", doctor)

    # django-otp's back-off after a wrong code; the tokens issued then are used at that time too.
    with freeze_time(timezone.now() + timedelta(seconds=5)):
        response, rows = step(
            client, "/api/v1/auth/token/mfa/", {"mfa_token": mfa_token, "code": totp_code(device)}, status=200
        )
        only(rows, "mfa.verify", "success", doctor)
        only(rows, "auth.token_issue", "success", doctor)

        refresh = response.json()["refresh"]
        response, rows = step(client, "/api/v1/auth/token/refresh/", {"refresh": refresh}, status=200)
        only(rows, "auth.token_refresh", "success", doctor)

        _, rows = step(client, "/api/v1/auth/logout/", {"refresh": response.json()["refresh"]}, status=204)
        only(rows, "auth.token_logout", "success", doctor)


def test_a_wrong_password_on_the_api_leaves_one_failure_row(make_user):
    patient = make_user(Role.PATIENT)
    client = APIClient(REMOTE_ADDR=CLIENT_IP)
    _, rows = step(client, "/api/v1/auth/token/", {"email": patient.email, "password": "Wrong-Pass-1234"}, status=401)
    failures = [row for row in rows if row.action == "auth.login"]
    assert len(failures) == 1
    assert (failures[0].outcome, failures[0].target_user_id, failures[0].client_ip) == (
        "failure",
        patient.pk,
        CLIENT_IP,
    )


def test_deactivation_and_reactivation_are_recorded(make_user):
    admin, nurse = make_user(Role.ADMIN), make_user(Role.NURSE)
    user_set_active(actor=admin, user=nurse, active=False)
    user_set_active(actor=admin, user=nurse, active=True)
    actions = list(
        AuditEvent.objects.filter(target_user_id=nurse.pk, actor_id=admin.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["account.deactivate", "account.activate"]
