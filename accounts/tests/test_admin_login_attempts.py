"""At the admin login: one attempt per POST, a right code accepted on
the first screen (no device to choose when the user has one authenticator), nothing counted for a
right sign-in, and a POST without a code checks nothing and counts nothing."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from accounts.services.mfa import recovery_codes_regenerate
from accounts.tests.mfa_helpers import confirmed_device, totp_code, wrong_code
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = reverse("admin:login")


def first_screen(client, user, password, code=None):
    """The admin login as a browser first sends it: no device chosen (the list is empty until the
    user is known)."""
    data = {"username": user.email, "password": password, "next": reverse("admin:index")}
    if code is not None:
        data["otp_token"] = code
    return client.post(ADMIN_LOGIN, data)


def failures(user):
    return AuditEvent.objects.filter(action="mfa.verify", outcome="failure", actor_id=user.pk).count()


def test_a_right_code_on_the_first_screen_opens_the_admin_and_counts_nothing(make_user, password, settings):
    admin = make_user(Role.ADMIN)
    device = confirmed_device(admin)
    client = Client()
    response = first_screen(client, admin, password, totp_code(device))
    assert response.status_code == 302, response.content[:400]
    assert client.get(reverse("admin:index")).status_code == 200
    assert failures(admin) == 0


def test_a_recovery_code_on_the_first_screen_opens_the_admin(make_user, password):
    admin = make_user(Role.ADMIN)
    confirmed_device(admin)
    codes = recovery_codes_regenerate(actor=admin)
    client = Client()
    assert first_screen(client, admin, password, codes[0]).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_many_right_admin_sign_ins_and_posts_without_a_code_never_lock(make_user, password, settings):
    admin = make_user(Role.ADMIN)
    device = confirmed_device(admin)
    for step in range(settings.AXES_FAILURE_LIMIT + 2):
        client = Client()
        assert first_screen(client, admin, password).status_code == 200, "no code: the form again"
        assert first_screen(client, admin, password, totp_code(device, steps_ahead=step)).status_code == 302
    assert failures(admin) == 0
    assert not AuditEvent.objects.filter(action="auth.lockout", target_user_id=admin.pk).exists()


def test_wrong_codes_on_the_first_screen_lock_at_the_limit_one_per_post(make_user, password, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    admin = make_user(Role.ADMIN)
    device = confirmed_device(admin)
    client = Client()
    statuses = [first_screen(client, admin, password, wrong_code(device)).status_code for _ in range(5)]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert failures(admin) == settings.AXES_FAILURE_LIMIT
    assert first_screen(client, admin, password, totp_code(device)).status_code == 429


def test_with_two_authenticators_the_admin_asks_which_without_counting(make_user, password, settings):
    admin = make_user(Role.ADMIN)
    device = confirmed_device(admin)
    confirmed_device(admin)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = first_screen(client, admin, password, totp_code(device))
        assert response.status_code == 200 and "Please select a device" in response.content.decode()
    assert failures(admin) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_admin_sign_ins_on_the_first_screen_from_one_address_all_pass(make_user, password, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 8
    admins = [(admin, totp_code(confirmed_device(admin))) for admin in (make_user(Role.ADMIN) for _ in range(16))]

    def sign_in(pair):
        try:
            return first_screen(Client(REMOTE_ADDR="203.0.113.90"), pair[0], password, pair[1]).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(sign_in, admins))
    print(f"\n16 admin sign-ins, 6 in flight, LOGIN_IP_FAILURE_LIMIT=8: {statuses}")
    assert statuses == [302] * 16
    assert not AuditEvent.objects.filter(action="mfa.verify", outcome="failure").exists()
