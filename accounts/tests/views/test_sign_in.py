"""The sign-in pages: password, then the code step or enrollment; lockout on every step."""

import base64
import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from accounts.decorators import verified_staff_required
from accounts.models import RecoveryCode
from accounts.roles import Role
from accounts.tests.mfa_helpers import confirmed_device, totp_code, wrong_code
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:mfa_verify")
SETUP = reverse("accounts:mfa_setup")
DASHBOARD = reverse("dashboard")


def post_password(client, user, password, **extra):
    return client.post(LOGIN, {"username": user.email, "password": password, **extra})


def session_key(client):
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_a_patient_without_mfa_signs_in_with_the_password_and_the_session_key_rotates(client, make_user, password):
    patient = make_user(Role.PATIENT)
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    response = post_password(client, patient, password)
    assert response.status_code == 302 and response["Location"] == DASHBOARD
    assert session_key(client) != before
    assert client.get(DASHBOARD).status_code == 200


def test_an_account_with_an_authenticator_must_pass_the_code_step(client, make_user, password):
    doctor = make_user(Role.DOCTOR)
    device = confirmed_device(doctor)
    response = post_password(client, doctor, password, next="/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    # Signed in with the password only: every other page sends back to the code step.
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)

    response = client.post(VERIFY, {"code": wrong_code(device), "next": DASHBOARD})
    assert response.status_code == 200
    assert "That code is not correct" in response.content.decode()
    assert client.get(DASHBOARD).status_code == 302

    password_step_key = session_key(client)
    with freeze_time(timezone.now() + timedelta(seconds=5)):  # django-otp's 1 s back-off after a wrong code
        response = client.post(VERIFY, {"code": totp_code(device), "next": DASHBOARD})
    assert response.status_code == 302 and response["Location"] == DASHBOARD
    assert session_key(client) != password_step_key, "the session key rotates again at the code step"
    assert client.get(DASHBOARD).status_code == 200
    events = AuditEvent.objects.filter(action="mfa.verify", target_user_id=doctor.pk)
    assert sorted(events.values_list("outcome", flat=True)) == ["failure", "success"]


def test_the_code_step_refuses_an_outside_next_address(client, make_user, password):
    patient = make_user(Role.PATIENT)
    device = confirmed_device(patient)
    post_password(client, patient, password)
    response = client.post(VERIFY, {"code": totp_code(device), "next": "https://evil.example/"})
    assert response["Location"] == DASHBOARD


def test_a_recovery_code_passes_the_code_step(client, make_user, password):
    nurse = make_user(Role.NURSE)
    client.force_login(nurse)
    response = client.get(SETUP)
    device = TOTPDevice.objects.get(user=nurse, confirmed=False)
    response = client.post(SETUP, {"code": totp_code(device)})
    codes = re.findall(r"<code>([a-z0-9-]{14})</code>", response.content.decode())
    assert len(codes) == 10
    client.post(reverse("accounts:logout"))

    post_password(client, nurse, password)
    response = client.post(VERIFY, {"code": codes[3], "next": DASHBOARD})
    assert response.status_code == 302 and response["Location"] == DASHBOARD
    assert RecoveryCode.objects.filter(device__user=nurse).count() == 9


def test_staff_without_an_authenticator_are_confined_to_enrollment_until_they_confirm_one(client, make_user, password):
    receptionist = make_user(Role.RECEPTIONIST)
    response = post_password(client, receptionist, password)
    assert response["Location"].startswith(SETUP)
    for path in (DASHBOARD, "/admin/", VERIFY.replace("verify", "recovery-codes")):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(SETUP), path

    page = client.get(SETUP)
    html = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert 'src="data:image/svg+xml;base64,' in html
    assert "style=" not in html and "<script" not in html.replace('<script src="', "")
    device = TOTPDevice.objects.get(user=receptionist, confirmed=False)
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', html).group(1)
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    assert client.get(DASHBOARD).status_code == 302, "an unconfirmed device changes nothing"

    response = client.post(SETUP, {"code": totp_code(device)})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert len(re.findall(r"<code>[a-z0-9-]{14}</code>", response.content.decode())) == 10
    assert client.get(DASHBOARD).status_code == 200
    assert AuditEvent.objects.filter(action="mfa.enroll", outcome="success", actor_id=receptionist.pk).exists()


def test_a_patient_may_opt_in_and_then_needs_the_code(client, make_user, password):
    patient = make_user(Role.PATIENT)
    post_password(client, patient, password)
    assert client.get(DASHBOARD).status_code == 200
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=patient)
    client.post(SETUP, {"code": totp_code(device)})
    client.post(reverse("accounts:logout"))

    response = post_password(client, patient, password)
    assert response["Location"].startswith(VERIFY)
    assert client.get(DASHBOARD).status_code == 302


def test_recovery_codes_can_be_regenerated_only_after_the_code_step(client, make_user, password):
    patient = make_user(Role.PATIENT)
    device = confirmed_device(patient)
    post_password(client, patient, password)
    page = reverse("accounts:mfa_recovery_codes")
    assert client.post(page).status_code == 302
    client.post(VERIFY, {"code": totp_code(device)})
    response = client.post(page)
    assert len(re.findall(r"<code>[a-z0-9-]{14}</code>", response.content.decode())) == 10
    assert RecoveryCode.objects.filter(device__user=patient).count() == 10


def test_wrong_passwords_lock_the_page_login_with_a_clear_message(client, make_user, password):
    nurse = make_user(Role.NURSE)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = post_password(client, nurse, "wrong-password-1234")
        assert response.status_code == 200
        assert "The e-mail address or password is not correct." in response.content.decode()
    locked = post_password(client, nurse, "wrong-password-1234")
    assert locked.status_code == 429, "the failure that reaches the limit answers with the lockout"
    response = post_password(client, nurse, password)
    assert response.status_code == 429, "locked: even the right password is refused"
    assert int(response["Retry-After"]) == 15 * 60
    assert "Sign-in is locked until" in response.content.decode()
    assert client.get(DASHBOARD).status_code == 302, "no session was opened"
    assert AuditEvent.objects.filter(action="auth.lockout", target_user_id=nurse.pk).exists()

    # Another address from the same client is not locked by this one.
    other = make_user(Role.PATIENT)
    assert post_password(client, other, password).status_code == 302

    with freeze_time(timezone.now() + timedelta(minutes=16)):
        response = post_password(client, nurse, password)
    assert response.status_code == 302, "the cool-off has passed"


def test_the_lockout_ignores_the_case_of_the_address(client, make_user):
    nurse = make_user(Role.NURSE, email="casey@example.test")
    for variant in ["casey@example.test", "CASEY@example.test", "Casey@Example.test", " casey@example.TEST", "x"]:
        client.post(
            LOGIN, {"username": variant if variant != "x" else "casey@EXAMPLE.test", "password": "wrong-1234567"}
        )
    response = client.post(LOGIN, {"username": nurse.email, "password": "wrong-1234567"})
    assert response.status_code == 429


def test_wrong_codes_lock_the_code_step_and_end_the_half_signed_in_session(client, make_user, password):
    doctor = make_user(Role.DOCTOR)
    device = confirmed_device(doctor)
    post_password(client, doctor, password)
    statuses = []
    while not statuses or statuses[-1] == 200:
        statuses.append(client.post(VERIFY, {"code": wrong_code(device)}).status_code)
    # The password took one of the 5 attempts: four wrong codes are answered, the fifth locks.
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert AuditEvent.objects.filter(action="auth.lockout", target_user_id=doctor.pk, outcome="denied").exists()
    assert client.get(DASHBOARD)["Location"].startswith(LOGIN), "signed out"
    assert post_password(client, doctor, password).status_code == 429, "and the password step is locked too"


def test_a_wrong_admin_code_counts_once_towards_the_lockout(client, make_user, password, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own back-off is not what is measured
    admin = make_user(Role.ADMIN)
    device = confirmed_device(admin)
    data = {"username": admin.email, "password": password, "otp_device": device.persistent_id}
    for _ in range(2):
        assert client.post(reverse("admin:login"), {**data, "otp_token": wrong_code(device)}).status_code == 200
    response = client.post(reverse("admin:login"), {**data, "otp_token": totp_code(device)})
    # Each try takes one attempt (the right password gives its slot back): two failures, then in.
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    assert AuditEvent.objects.filter(action="mfa.verify", outcome="failure", actor_id=admin.pk).count() == 2


def test_wrong_admin_codes_lock_at_the_limit_one_per_try(client, make_user, password, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    admin = make_user(Role.ADMIN)
    device = confirmed_device(admin)
    data = {"username": admin.email, "password": password, "otp_device": device.persistent_id}
    statuses = [
        client.post(reverse("admin:login"), {**data, "otp_token": wrong_code(device)}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]


def test_admins_see_and_clear_lockouts_in_the_admin(client, make_user, otp_login, password):
    nurse = make_user(Role.NURSE)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_password(client, nurse, "wrong-password-1234")
    assert post_password(client, nurse, password).status_code == 429

    admin_client = otp_login(make_user(Role.ADMIN))
    listing = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and nurse.email in listing.content.decode()
    attempt = AccessAttempt.objects.get(username=nurse.email)
    response = admin_client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code == 302
    cleared = AuditEvent.objects.get(action="auth.lockout_clear")
    assert cleared.target_user_id == nurse.pk and cleared.actor_role == "admin"
    admin_client.post(reverse("accounts:logout"))
    assert post_password(client, nurse, password).status_code == 302, "the lock and the counter are gone"


def test_compliance_sees_lockouts_but_cannot_clear_them(client, make_user, otp_login, password):
    nurse = make_user(Role.NURSE)
    post_password(client, nurse, "wrong-password-1234")
    attempt = AccessAttempt.objects.get(username=nurse.email)
    compliance = otp_login(make_user(Role.COMPLIANCE))
    assert compliance.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
    response = compliance.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def _view(request):
    return HttpResponse("patient data")


def _request_as(user, verified: bool):
    request = RequestFactory().get("/records/1/")
    request.user = user
    if user.is_authenticated:
        user.is_verified = lambda: verified
    return request


def test_verified_staff_required_lets_in_only_verified_staff(make_user):
    guarded = verified_staff_required(_view)
    assert guarded(_request_as(AnonymousUser(), False))["Location"].startswith(LOGIN)
    doctor = make_user(Role.DOCTOR)
    assert guarded(_request_as(doctor, False))["Location"].startswith(SETUP)
    confirmed_device(doctor)
    assert guarded(_request_as(doctor, False))["Location"].startswith(VERIFY)
    assert guarded(_request_as(doctor, True)).status_code == 200
    with pytest.raises(PermissionDenied):
        guarded(_request_as(make_user(Role.PATIENT), True))


def test_the_per_ip_limit_locks_a_client_trying_many_accounts(client, make_user, password, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    accounts = [make_user(Role.PATIENT) for _ in range(4)]
    statuses = [post_password(client, user, "wrong-password-1234").status_code for user in accounts[:3]]
    assert statuses == [200, 200, 200], "one failure per account: no account lock"
    assert post_password(client, accounts[3], password).status_code == 429, "but this client is past its IP limit"
    other_client = type(client)(REMOTE_ADDR="198.51.100.20")
    assert post_password(other_client, accounts[3], password).status_code == 302, "another client is not"
