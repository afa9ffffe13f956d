import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCodeDevice, User
from accounts.roles import Role
from accounts.services.mfa import RECOVERY_CODE_COUNT, recovery_codes_regenerate
from accounts.tests.mfa_helpers import confirmed_device
from audit.models import AuditEvent


def _admin_login_post(client, user, password, token):
    device = user.totpdevice_set.get()
    return client.post(
        reverse("admin:login"),
        {
            "username": user.email,
            "password": password,
            "otp_device": device.persistent_id,
            "otp_token": token,
            "next": reverse("admin:index"),
        },
    )


@pytest.mark.django_db
def test_admin_login_with_the_password_and_a_valid_totp_code_opens_the_admin_site(client, make_user, password):
    admin = make_user(Role.ADMIN)
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    response = _admin_login_post(client, admin, password, f"{totp(device.bin_key):06d}")
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_a_wrong_totp_code_keeps_the_admin_site_closed(client, make_user, password):
    admin = make_user(Role.ADMIN)
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    code = f"{totp(device.bin_key):06d}"
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = _admin_login_post(client, admin, password, wrong)
    assert response.status_code == 200, "a wrong code keeps the user on the login form"
    assert client.get(reverse("admin:index")).status_code == 302


@pytest.mark.django_db
def test_password_alone_does_not_open_the_admin_site(client, make_user, password):
    admin = make_user(Role.ADMIN)
    TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    response = _admin_login_post(client, admin, password, "")
    assert response.status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302


@pytest.mark.django_db
def test_a_signed_in_staff_user_without_otp_verification_cannot_open_the_admin(client, make_user):
    """Without an authenticator they are sent to enrollment (accounts.middleware); with one, to
    the code step. Neither reaches the admin."""
    admin = make_user(Role.ADMIN)
    client.force_login(admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa_setup"))
    TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa_verify"))


@pytest.mark.django_db
def test_an_unconfirmed_device_does_not_count_as_a_second_factor(client, make_user, password):
    admin = make_user(Role.ADMIN)
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=False)
    _admin_login_post(client, admin, password, f"{totp(device.bin_key):06d}")
    assert client.get(reverse("admin:index")).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.DOCTOR, Role.NURSE, Role.RECEPTIONIST, Role.PATIENT])
def test_roles_without_admin_access_are_kept_out_even_with_otp(otp_login, make_user, role):
    client = otp_login(make_user(role))
    assert client.get(reverse("admin:index")).status_code == 302


@pytest.mark.django_db
def test_admin_changes_a_role_through_the_admin_and_it_is_audited(otp_login, make_user):
    admin = make_user(Role.ADMIN)
    nurse = make_user(Role.NURSE, full_name="Nurse Joy")
    client = otp_login(admin)
    url = reverse("admin:accounts_user_change", args=[nurse.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"email": nurse.email, "full_name": "Nurse Joy", "role": "doctor", "active": "on"})
    assert response.status_code == 302, response.content[:500]
    nurse.refresh_from_db()
    assert nurse.role is Role.DOCTOR
    assert AuditEvent.objects.filter(action="account.role_change", actor_id=admin.pk, target_user_id=nurse.pk).exists()


@pytest.mark.django_db
def test_admin_form_cannot_grant_superuser_or_direct_permissions(otp_login, make_user):
    admin = make_user(Role.ADMIN)
    target = make_user(Role.RECEPTIONIST)
    client = otp_login(admin)
    url = reverse("admin:accounts_user_change", args=[target.pk])
    client.post(
        url,
        {
            "email": target.email,
            "full_name": "x",
            "role": "receptionist",
            "active": "on",
            "is_superuser": "on",
            "is_staff": "on",
            "user_permissions": ["1", "2"],
        },
    )
    target.refresh_from_db()
    assert not target.is_superuser
    assert not target.is_staff
    assert not target.user_permissions.exists()


@pytest.mark.django_db
def test_deactivation_through_admin_is_audited(otp_login, make_user):
    admin = make_user(Role.ADMIN)
    target = make_user(Role.RECEPTIONIST)
    client = otp_login(admin)
    client.post(
        reverse("admin:accounts_user_change", args=[target.pk]),
        {"email": target.email, "full_name": "x", "role": "receptionist"},  # "active" unticked
    )
    target.refresh_from_db()
    assert not target.is_active
    assert AuditEvent.objects.filter(action="account.deactivate", target_user_id=target.pk).exists()


@pytest.mark.django_db
def test_accounts_cannot_be_deleted_from_admin(otp_login, make_user):
    admin = make_user(Role.ADMIN)
    target = make_user(Role.RECEPTIONIST)
    client = otp_login(admin)
    response = client.post(reverse("admin:accounts_user_delete", args=[target.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert User.objects.filter(pk=target.pk).exists()


@pytest.mark.django_db
def test_admin_creates_a_staff_account_with_a_role(otp_login, make_user):
    client = otp_login(make_user(Role.ADMIN))
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Doctor@Example.test",
            "full_name": "New Doctor",
            "role": "doctor",
            "usable_password": "false",
        },
    )
    assert response.status_code == 302, response.content[:800]
    user = User.objects.get(email="new.doctor@example.test")
    assert user.role is Role.DOCTOR
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_a_recovery_code_at_the_admin_login_is_audited_and_e_mailed_as_on_the_sign_in_page(
    client, make_user, password, django_capture_on_commit_callbacks
):
    """The admin login uses the code step of the pages and the API: a recovery code is recorded
    as one, with the count left, and the user is told by e-mail."""
    admin = make_user(Role.ADMIN)
    confirmed_device(admin)
    codes = recovery_codes_regenerate(actor=admin)
    device = RecoveryCodeDevice.objects.get(user=admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:login"),
            {
                "username": admin.email,
                "password": password,
                "otp_device": device.persistent_id,
                "otp_token": codes[0],
                "next": reverse("admin:index"),
            },
        )
    assert response.status_code == 302, response.content[:500]
    assert client.get(reverse("admin:index")).status_code == 200
    verified = AuditEvent.objects.get(action="mfa.verify", outcome="success", actor_id=admin.pk)
    assert verified.details == {"method": "recovery_code"}
    used = AuditEvent.objects.get(action="mfa.recovery_code_use", actor_id=admin.pk)
    assert used.details == {"remaining": RECOVERY_CODE_COUNT - 1}
    notices = [message for message in mail.outbox if message.subject == "A HealthPro recovery code was used"]
    assert [message.to for message in notices] == [[admin.email]]
    assert "recovery codes was used" in notices[0].body
    assert codes[0] not in notices[0].body


@pytest.mark.django_db
def test_an_account_added_in_the_admin_is_created_by_the_service_and_audited(otp_login, make_user):
    admin = make_user(Role.ADMIN)
    client = otp_login(admin)
    new_password = "Correct-Horse-Battery-Staple-42"
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Nurse@Example.test",
            "full_name": "New Nurse",
            "role": "nurse",
            "usable_password": "true",
            "password1": new_password,
            "password2": new_password,
        },
    )
    assert response.status_code == 302, response.content[:800]
    user = User.objects.get(email="new.nurse@example.test")
    assert response["Location"] == reverse("admin:accounts_user_change", args=[user.pk])
    assert user.role is Role.NURSE and user.is_active and user.check_password(new_password)
    created = AuditEvent.objects.get(action="account.create", target_user_id=user.pk)
    assert created.actor_id == admin.pk
    role_change = AuditEvent.objects.get(action="account.role_change", target_user_id=user.pk)
    assert role_change.actor_id == admin.pk and role_change.details == {"from": None, "to": "nurse"}


@pytest.mark.django_db
def test_an_invitation_added_in_the_admin_is_created_by_the_service_and_audited(otp_login, make_user):
    admin = make_user(Role.ADMIN)
    client = otp_login(admin)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"email": "invited@example.test", "full_name": "Invited", "role": "receptionist", "usable_password": "false"},
    )
    assert response.status_code == 302, response.content[:800]
    user = User.objects.get(email="invited@example.test")
    assert not user.is_active and user.activation_pending == "invitation"
    assert AuditEvent.objects.get(action="account.create", target_user_id=user.pk).actor_id == admin.pk
    assert AuditEvent.objects.filter(action="account.invitation_send", target_user_id=user.pk).exists()
    assert [message.subject for message in mail.outbox if message.to == [user.email]] == [
        "You are invited to HealthPro"
    ]
