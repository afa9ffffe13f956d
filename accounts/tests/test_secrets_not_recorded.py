"""Canary: passwords, codes and tokens used in sign-in never reach the audit
log, django-axes' stored request data, or the logs."""

import json
import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.mfa_helpers import confirmed_device, totp_code
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

CANARY_PASSWORD = "Canary-Password-7f3a9c"


def test_no_secret_of_a_sign_in_is_stored_or_logged(client, make_user, password, caplog):
    doctor = make_user(Role.DOCTOR)
    device = confirmed_device(doctor)
    caplog.set_level(logging.DEBUG)  # from here on: the test factory itself logs what it was given
    caplog.clear()
    seen = [CANARY_PASSWORD, password]

    # Pages: a wrong password, the password, a wrong code, the right code.
    client.post(reverse("accounts:login"), {"username": doctor.email, "password": CANARY_PASSWORD})
    client.post(reverse("accounts:login"), {"username": doctor.email, "password": password})
    # A distinctive wrong code (000000 would match any timestamp).
    accepted = {totp_code(device, steps_ahead=n) for n in range(-1, 4)}
    bad_code = next(c for c in ("918273", "827364", "736455") if c not in accepted)
    client.post(reverse("accounts:mfa_verify"), {"code": bad_code})
    codes = [bad_code]
    # A completed sign-in clears axes' records: look at them now, while they hold two failures.
    attempts = list(AccessAttempt.objects.values())
    assert attempts and attempts[0]["failures_since_start"] == 2

    # django-otp backs off for a second after the wrong code: the rest happens a little later.
    with freeze_time(timezone.now() + timedelta(seconds=5)):
        right = totp_code(device)
        client.post(reverse("accounts:mfa_verify"), {"code": right})
        codes.append(right)
        # API: the MFA token, a wrong code, the right code, refresh, logout.
        api = APIClient()
        api.post("/api/v1/auth/token/", {"email": doctor.email, "password": CANARY_PASSWORD}, format="json")
        mfa_token = api.post(
            "/api/v1/auth/token/", {"email": doctor.email, "password": password}, format="json"
        ).json()["mfa_token"]
        code = totp_code(device, steps_ahead=1)
        pair = api.post("/api/v1/auth/token/mfa/", {"mfa_token": mfa_token, "code": code}, format="json").json()
        rotated = api.post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json").json()
        api.post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json")  # reuse
        api.post("/api/v1/auth/logout/", {"refresh": rotated["refresh"]}, format="json")
        codes.append(code)
        seen += [mfa_token, pair["access"], pair["refresh"], rotated["access"], rotated["refresh"]]

    rows = json.dumps(
        [attempts, list(AuditEvent.objects.values()), list(AccessAttempt.objects.values())],
        default=str,
    )
    # Six-digit codes could turn up by chance inside timestamps and hashes: look for them in the
    # free-form parts only (audit details, axes' stored request data, log messages).
    free_form = json.dumps(
        [
            list(AuditEvent.objects.values_list("details", flat=True)),
            [(a["get_data"], a["post_data"], a["username"]) for a in attempts],
        ]
    )
    assert AuditEvent.objects.filter(action="auth.token_reuse").exists()
    for secret in seen:
        assert secret not in rows
        assert secret not in caplog.text
    for code in codes:
        assert code not in free_form
        assert not any(code in message for message in caplog.messages)


@pytest.mark.django_db
def test_sign_in_logs_name_neither_the_address_nor_the_client(client, make_user, password, caplog):
    """django-axes logs every attempt with the username and IP unless told they are sensitive: an
    e-mail address identifies a patient, and neither belongs in the application logs."""
    patient = make_user(Role.PATIENT, email="canary.patient.81c2@example.test")
    caplog.set_level(logging.DEBUG)
    client.post(
        reverse("accounts:login"), {"username": patient.email, "password": "wrong"}, REMOTE_ADDR="198.51.100.77"
    )
    client.post(
        reverse("accounts:login"), {"username": patient.email, "password": password}, REMOTE_ADDR="198.51.100.77"
    )
    assert any("AXES" in message for message in caplog.messages), "axes did log the attempts"
    assert "canary.patient.81c2" not in caplog.text
    assert "198.51.100.77" not in caplog.text
