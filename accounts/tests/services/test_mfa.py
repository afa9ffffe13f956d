"""MFA services: confirmed enrollment, no replay, single-use hashed recovery codes, audit."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from accounts.models import RecoveryCode, RecoveryCodeDevice
from accounts.models.mfa import recovery_code_digest
from accounts.roles import Role
from accounts.selectors import mfa_enrolled
from accounts.services.mfa import (
    RECOVERY_CODE_COUNT,
    mfa_verify,
    recovery_codes_regenerate,
    totp_device_confirm,
    totp_device_start,
)
from accounts.services.tokens import InvalidTokenUse, refresh_token_rotate, token_pair_issue
from accounts.tests.mfa_helpers import confirmed_device, totp_code, wrong_code
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = totp_device_start(user=user)
    codes = totp_device_confirm(actor=user, device=device, code=totp_code(device))
    device.refresh_from_db()
    return device, codes


def test_enrollment_confirms_the_device_only_with_a_valid_code(make_user):
    user = make_user(Role.NURSE)
    device = totp_device_start(user=user)
    assert not device.confirmed and not mfa_enrolled(user)
    assert totp_device_start(user=user) == device, "reloading the page keeps the same pending secret"

    assert totp_device_confirm(actor=user, device=device, code=wrong_code(device)) is None
    device.refresh_from_db()
    assert not device.confirmed and not mfa_enrolled(user)

    # django-otp throttles the device for a second after a wrong code: the user tries again later.
    with freeze_time(timezone.now() + timedelta(seconds=5)):
        codes = totp_device_confirm(actor=user, device=device, code=totp_code(device))
    device.refresh_from_db()
    assert device.confirmed and mfa_enrolled(user)
    assert len(codes) == RECOVERY_CODE_COUNT and len(set(codes)) == RECOVERY_CODE_COUNT
    outcomes = list(AuditEvent.objects.filter(action="mfa.enroll").values_list("outcome", flat=True))
    assert outcomes == ["failure", "success"]


def test_an_unconfirmed_device_never_satisfies_the_code_step(make_user):
    user = make_user(Role.DOCTOR)
    device = totp_device_start(user=user)
    assert device.verify_token(totp_code(device)), "django-otp itself accepts it (the known pitfall)"
    assert mfa_verify(user=user, code=totp_code(device, steps_ahead=1)) is None


def test_a_totp_code_cannot_be_replayed(make_user):
    user = make_user(Role.DOCTOR)
    device = confirmed_device(user)
    code = totp_code(device)
    assert mfa_verify(user=user, code=code) == device
    assert mfa_verify(user=user, code=code) is None, "the same time step is refused the second time"
    assert AuditEvent.objects.filter(action="mfa.verify", outcome="failure").count() == 1


def test_recovery_codes_work_once_each_are_stored_hashed_and_e_mail_the_user(
    make_user, django_capture_on_commit_callbacks
):
    user = make_user(Role.DOCTOR)
    _, codes = _enrol(user)
    stored = list(RecoveryCode.objects.values_list("code_digest", flat=True))
    assert len(stored) == RECOVERY_CODE_COUNT
    for code in codes:
        assert code not in stored and code.replace("-", "") not in stored
    assert recovery_code_digest(codes[0]) in stored

    with django_capture_on_commit_callbacks(execute=True):
        device = mfa_verify(user=user, code=codes[0].upper().replace("-", " "))
    assert isinstance(device, RecoveryCodeDevice)
    assert mfa_verify(user=user, code=codes[0]) is None, "a recovery code is single-use"
    assert RecoveryCode.objects.count() == RECOVERY_CODE_COUNT - 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "recovery codes was used" in mail.outbox[0].body
    assert codes[0] not in mail.outbox[0].body
    used = AuditEvent.objects.get(action="mfa.recovery_code_use")
    assert used.details == {"remaining": RECOVERY_CODE_COUNT - 1}


def test_regenerated_recovery_codes_replace_the_old_ones(make_user):
    user = make_user(Role.PATIENT)
    _, old_codes = _enrol(user)
    new_codes = recovery_codes_regenerate(actor=user)
    assert set(new_codes).isdisjoint(old_codes)
    assert mfa_verify(user=user, code=old_codes[1]) is None
    assert mfa_verify(user=user, code=new_codes[1]) is not None
    assert AuditEvent.objects.filter(action="mfa.recovery_codes_regenerate", actor_id=user.pk).exists()


def test_a_recovery_code_of_another_user_does_not_work(make_user):
    alice, bob = make_user(Role.NURSE), make_user(Role.NURSE)
    _, alice_codes = _enrol(alice)
    _enrol(bob)
    assert mfa_verify(user=bob, code=alice_codes[0]) is None


def test_no_code_or_secret_reaches_the_audit_log(make_user):
    user = make_user(Role.DOCTOR)
    device, codes = _enrol(user)
    code = totp_code(device, steps_ahead=1)
    mfa_verify(user=user, code=code)
    mfa_verify(user=user, code=codes[0])
    mfa_verify(user=user, code="999999")
    logged = json.dumps(list(AuditEvent.objects.values("details", "action")))
    for secret in [*codes, code, device.key, "999999"]:
        assert secret not in logged


def test_an_mfa_change_ends_the_users_api_sessions(make_user):
    user = make_user(Role.PATIENT)
    before = token_pair_issue(user=user, mfa=False)
    _enrol(user)
    with pytest.raises(InvalidTokenUse):
        refresh_token_rotate(raw=before["refresh"])
    after_enrol = token_pair_issue(user=user, mfa=True)
    recovery_codes_regenerate(actor=user)
    with pytest.raises(InvalidTokenUse):
        refresh_token_rotate(raw=after_enrol["refresh"])


def test_an_admin_reset_removes_the_authenticator_and_recovery_codes(make_user, otp_login):
    nurse = make_user(Role.NURSE)
    device, _ = _enrol(nurse)
    admin = make_user(Role.ADMIN)
    client = otp_login(admin)
    # The admin sees the device but never its secret.
    assert client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])).status_code == 200
    assert device.key not in client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])).content.decode()
    assert client.get(reverse("admin:otp_totp_totpdevice_config", args=[device.pk])).status_code == 403
    assert client.get(reverse("admin:otp_totp_totpdevice_qrcode", args=[device.pk])).status_code == 403

    response = client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not mfa_enrolled(nurse)
    assert not RecoveryCodeDevice.objects.filter(user=nurse).exists()
    event = AuditEvent.objects.get(action="mfa.reset")
    assert event.actor_id == admin.pk and event.target_user_id == nurse.pk
