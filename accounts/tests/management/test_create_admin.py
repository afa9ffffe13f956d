"""The first administrator: `create_admin` (role admin, validators, audited as the actor "system",
TOTP enrollment at the first sign-in); `createsuperuser` refuses; an account without a role is
treated as staff (second factor required)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "Sturdy-Admin-Passphrase-42"


def create_admin(monkeypatch, *args, stdin=f"{PASSWORD}\n"):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("create_admin", *args, stdout=out)
    return out.getvalue()


def test_create_admin_makes_an_audited_admin_that_must_enrol_totp_at_first_sign_in(monkeypatch):
    out = create_admin(monkeypatch, "--email", "first.admin@example.org", "--password-stdin")
    assert "admin role" in out and PASSWORD not in out
    admin = User.objects.get(email="first.admin@example.org")
    assert admin.role is Role.ADMIN and admin.is_active and not admin.is_superuser
    event = AuditEvent.objects.get(action="account.create", target_user_id=admin.pk)
    assert event.actor_id is None and event.actor_role == "system"
    assert PASSWORD not in str(event.details)
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": admin.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:mfa_setup"))
    assert client.get(reverse("admin:index")).status_code == 302, "no admin before the authenticator"


def test_create_admin_reads_the_password_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n")
    create_admin(monkeypatch, "--email", "ops@example.org", "--password-file", str(secret))
    assert User.objects.get(email="ops@example.org").check_password(PASSWORD)


def test_create_admin_asks_twice_at_a_terminal(monkeypatch):
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    with pytest.raises(CommandError, match="differ"):
        call_command("create_admin", "--email", "typo@example.org", stdout=io.StringIO())
    assert not User.objects.filter(email="typo@example.org").exists()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--email", "weak@example.org", "--password-stdin"], "short\n", "password was refused"),
        (["--email", "not-an-address", "--password-stdin"], f"{PASSWORD}\n", "not a valid e-mail"),
        (["--email", "empty@example.org", "--password-stdin"], "", "empty"),
    ],
)
def test_create_admin_refuses_bad_input_with_a_clear_message(monkeypatch, args, stdin, message):
    with pytest.raises(CommandError, match=message):
        create_admin(monkeypatch, *args, stdin=stdin)
    assert User.objects.count() == 0


def test_create_admin_refuses_an_address_in_use(monkeypatch, make_user):
    taken = make_user(Role.NURSE)
    with pytest.raises(CommandError, match="already exists"):
        create_admin(monkeypatch, "--email", taken.email.upper(), "--password-stdin")


def test_createsuperuser_refuses_and_points_at_create_admin():
    with pytest.raises(CommandError, match="create_admin --email"):
        call_command("createsuperuser", "--noinput", "--email", "root@example.org")
    assert not User.objects.filter(email="root@example.org").exists()


def test_an_account_without_a_role_must_pass_a_second_factor_like_staff(make_user, password):
    nobody = make_user(None)
    assert nobody.role is None and nobody.requires_mfa
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": nobody.email, "password": password})
    assert response["Location"].startswith(reverse("accounts:mfa_setup"))
    patient = make_user(Role.PATIENT)
    assert not patient.requires_mfa, "patients still sign in with a password"
