import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.management.commands.seed_demo import DEMO_PASSWORD, demo_email
from accounts.models import User
from accounts.roles import Role


@pytest.mark.django_db
def test_demo_accounts_are_refused_when_debug_is_off():
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_one_demo_account_per_role_with_totp_for_staff(capsys):
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    for role in Role:
        user = User.objects.get(email=demo_email(role))
        assert user.role is role
        assert user.check_password(DEMO_PASSWORD)
        assert TOTPDevice.objects.filter(user=user, confirmed=True).exists() == role.is_staff_role
    assert User.objects.count() == len(Role)
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out and "TOTP secret" in out


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_demo_totp_prints_the_current_code(capsys):
    call_command("seed_demo")
    capsys.readouterr()
    call_command("demo_totp", demo_email(Role.DOCTOR))
    device = TOTPDevice.objects.get(user__email=demo_email(Role.DOCTOR))
    assert capsys.readouterr().out.strip() == f"{totp(device.bin_key):06d}"


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_a_demo_staff_account_signs_in_with_the_password_and_the_make_totp_code(client, capsys):
    """What the README tells a newcomer: password, then the code printed by `make totp EMAIL=...`."""
    call_command("seed_demo")
    email = demo_email(Role.ADMIN)
    response = client.post(reverse("accounts:login"), {"username": email, "password": DEMO_PASSWORD})
    assert response["Location"].startswith(reverse("accounts:mfa_verify"))
    capsys.readouterr()
    call_command("demo_totp", email)
    code = capsys.readouterr().out.strip()
    response = client.post(reverse("accounts:mfa_verify"), {"code": code})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.get(reverse("admin:index")).status_code == 200
