"""Rotating SECRET_KEY with SECRET_KEY_FALLBACKS: what was made under the old key keeps working
while it is listed, what was used meanwhile moves to the new key, and removing it ends the rest.

Covered: sessions (and their auth hash), password reset links, e-mailed activation links, signed
values, recovery codes, known sign-in devices.
"""

import secrets

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from accounts.models import KnownDevice, RecoveryCodeDevice
from accounts.models.mfa import recovery_code_digest
from accounts.roles import Role
from accounts.services.mfa import totp_device_confirm, totp_device_start
from accounts.tests.helpers import FIREFOX, sign_in
from accounts.tests.mfa_helpers import totp_code

pytestmark = pytest.mark.django_db
OLD_KEY = secrets.token_urlsafe(50)
NEW_KEY = secrets.token_urlsafe(50)
NEW_DEVICE_NOTICE = "signed in from a browser or network we had not seen"


@pytest.fixture
def old_key(settings):
    settings.SECRET_KEY = OLD_KEY
    settings.SECRET_KEY_FALLBACKS = []
    return settings


def rotate(settings, *, keep_old: bool) -> None:
    settings.SECRET_KEY = NEW_KEY
    settings.SECRET_KEY_FALLBACKS = [OLD_KEY] if keep_old else []


def signed_in(client) -> bool:
    response = client.get(reverse("accounts:profile"))
    return response.status_code == 200


def new_device_notices(user, password) -> int:
    mail.outbox.clear()
    sign_in(Client(HTTP_USER_AGENT=FIREFOX, REMOTE_ADDR="203.0.113.77"), user.email, password)
    return sum(NEW_DEVICE_NOTICE in message.body for message in mail.outbox)


def test_a_session_made_under_the_old_key_survives_the_rotation_and_the_removal(old_key, client, make_user):
    client.force_login(make_user(Role.PATIENT))
    assert signed_in(client)
    rotate(old_key, keep_old=True)
    assert signed_in(client), "the fallback accepts the session and re-signs it under the new key"
    rotate(old_key, keep_old=False)
    assert signed_in(client)


def test_a_session_not_used_during_the_rotation_ends_when_the_old_key_goes(old_key, client, make_user):
    client.force_login(make_user(Role.PATIENT))
    assert signed_in(client)
    rotate(old_key, keep_old=False)
    assert not signed_in(client)


def test_reset_links_and_signed_values_work_until_the_old_key_is_removed(old_key, make_user):
    user = make_user(Role.PATIENT)
    reset_token = default_token_generator.make_token(user)
    signed = signing.dumps({"patient": 7}, salt="healthpro.test")
    rotate(old_key, keep_old=True)
    assert default_token_generator.check_token(user, reset_token)
    assert signing.loads(signed, salt="healthpro.test") == {"patient": 7}
    rotate(old_key, keep_old=False)
    assert not default_token_generator.check_token(user, reset_token)
    with pytest.raises(signing.BadSignature):
        signing.loads(signed, salt="healthpro.test")


def test_recovery_codes_work_during_the_rotation_and_new_ones_after_it(old_key, make_user):
    user = make_user(Role.NURSE)
    device = totp_device_start(user=user)
    old_codes = totp_device_confirm(actor=user, device=device, code=totp_code(device))
    recovery = RecoveryCodeDevice.objects.get(user=user)
    rotate(old_key, keep_old=True)
    assert recovery.verify_token(old_codes[0]), "a code made under the old key, accepted by the fallback"
    assert not recovery.verify_token(old_codes[0]), "and still single-use"
    rotate(old_key, keep_old=False)
    assert not recovery.verify_token(old_codes[1]), "recovery codes rotate with SECRET_KEY"
    stored = set(recovery.codes.values_list("code_digest", flat=True))
    assert recovery_code_digest(old_codes[1], secret=OLD_KEY) in stored


def test_a_device_seen_during_the_rotation_stays_known_after_the_removal(old_key, make_user, password):
    user = make_user(Role.PATIENT)
    assert new_device_notices(user, password) == 1
    old_hash = KnownDevice.objects.get(user=user).pair_hash
    rotate(old_key, keep_old=True)
    assert new_device_notices(user, password) == 0
    assert KnownDevice.objects.get(user=user).pair_hash != old_hash, "moved to the hash under the new key"
    rotate(old_key, keep_old=False)
    assert new_device_notices(user, password) == 0
    assert KnownDevice.objects.filter(user=user).count() == 1


def test_a_device_not_seen_during_the_rotation_is_new_again(old_key, make_user, password):
    user = make_user(Role.PATIENT)
    assert new_device_notices(user, password) == 1
    rotate(old_key, keep_old=False)
    assert new_device_notices(user, password) == 1
