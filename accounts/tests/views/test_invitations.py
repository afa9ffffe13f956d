"""Staff invitations from Django admin: no password, an e-mailed link that verifies the address
and sets the password in one step; single-use, expiring, resendable, audited."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from accounts.models import ActivationKind, User
from accounts.roles import Role
from accounts.services.link_tokens import uidb64_for
from accounts.tests.helpers import only_link_to, sign_in
from audit.models import AuditEvent

INVITE_PREFIX = "/accounts/invitation/"
NEW_PASSWORD = "Quiet-Harbour-77"


def invite(client, email="dr.new@example.test", role="doctor"):
    return client.post(
        reverse("admin:accounts_user_add"),
        {"email": email, "full_name": "Dr New", "role": role, "usable_password": "false"},
    )


def accept(client, link, password=NEW_PASSWORD, confirm=None):
    """Open the link (Django moves the token into the session and redirects), then post the form."""
    landing = client.get(link)
    if landing.status_code != 302:
        return landing
    return client.post(landing["Location"], {"new_password1": password, "new_password2": confirm or password})


@pytest.fixture
def visitor():
    """The invited person's own browser."""
    return Client()


@pytest.fixture
def admin_client(otp_login, make_user):
    client = otp_login(make_user(Role.ADMIN))
    mail.outbox.clear()
    return client


@pytest.mark.django_db
def test_an_admin_invites_a_staff_member_who_gets_an_inactive_account_and_a_link(admin_client):
    response = invite(admin_client)

    assert response.status_code == 302
    user = User.objects.get(email="dr.new@example.test")
    assert user.role is Role.DOCTOR
    assert not user.is_active and not user.has_usable_password()
    assert user.activation_pending == ActivationKind.INVITATION
    [message] = mail.outbox
    assert message.to == ["dr.new@example.test"] and "Doctor" in message.body
    assert only_link_to(user.email, INVITE_PREFIX)
    event = AuditEvent.objects.get(action="account.invitation_send", target_user_id=user.pk)
    assert event.actor_id is not None


@pytest.mark.django_db
def test_the_link_sets_the_password_verifies_the_address_and_activates_without_signing_in(admin_client, visitor):
    invite(admin_client)
    link = only_link_to("dr.new@example.test", INVITE_PREFIX)

    landing = visitor.get(link)
    assert landing.status_code == 302 and landing["Location"].endswith("/set-password/"), "token leaves the URL"
    form = visitor.get(landing["Location"])
    assert "Choose the password for" in form.content.decode()
    response = visitor.post(landing["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    user = User.objects.get(email="dr.new@example.test")
    assert user.is_active and user.check_password(NEW_PASSWORD) and user.email_verified_at is not None
    assert user.activation_pending == ""
    assert "_auth_user_id" not in visitor.session, "no sign-in: the second factor comes next, at login"
    assert AuditEvent.objects.filter(action="account.invitation_accept", outcome="success").exists()
    assert sign_in(visitor, user.email, NEW_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_invitation_link_works_once(admin_client, visitor):
    invite(admin_client)
    link = only_link_to("dr.new@example.test", INVITE_PREFIX)
    accept(visitor, link)
    again = accept(visitor, link, password="Another-Harbour-88")
    assert again.status_code == 400
    assert User.objects.get(email="dr.new@example.test").check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="account.invitation_accept", outcome="failure").exists()


@pytest.mark.django_db
def test_the_invitation_expires_after_72_hours(admin_client, visitor):
    with freeze_time("2026-04-01 09:00:00"):
        invite(admin_client)
    link = only_link_to("dr.new@example.test", INVITE_PREFIX)
    with freeze_time("2026-04-04 09:01:00"):
        assert accept(visitor, link).status_code == 400
    assert not User.objects.get(email="dr.new@example.test").is_active


@pytest.mark.django_db
def test_the_password_policy_applies_and_errors_are_shown(admin_client, visitor):
    invite(admin_client)
    link = only_link_to("dr.new@example.test", INVITE_PREFIX)
    response = accept(visitor, link, password="password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "at least 12 characters" in html
    assert not User.objects.get(email="dr.new@example.test").is_active


@pytest.mark.django_db
def test_resending_from_admin_sends_a_new_link_and_voids_the_old(admin_client, visitor, make_user):
    with freeze_time("2026-04-01 09:00:00"):
        invite(admin_client)
    user = User.objects.get(email="dr.new@example.test")
    old_link = only_link_to(user.email, INVITE_PREFIX)
    active = make_user(Role.NURSE)
    mail.outbox.clear()
    with freeze_time("2026-04-01 10:00:00"):
        response = admin_client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "resend_invitation", "_selected_action": [user.pk, active.pk]},
        )
        assert response.status_code == 302
        assert [m.to for m in mail.outbox] == [[user.email]], "only accounts awaiting an invitation"
        new_link = only_link_to(user.email, INVITE_PREFIX)
        assert accept(visitor, old_link).status_code == 400
        assert accept(visitor, new_link).status_code == 302
    assert AuditEvent.objects.filter(action="account.invitation_send", outcome="failure", target_user_id=active.pk)


@pytest.mark.django_db
def test_an_invitation_link_cannot_reset_an_active_accounts_password(admin_client, visitor, make_user, password):
    """A verification or reset token is not an invitation token, and an active account is not invited."""
    target = make_user(Role.DOCTOR)
    token = default_token_generator.make_token(target)
    assert visitor.get(f"{INVITE_PREFIX}{uidb64_for(target)}/{token}/").status_code == 400
    target.refresh_from_db()
    assert target.check_password(password)


@pytest.mark.django_db
def test_a_compliance_officer_cannot_resend_invitations(admin_client, otp_login, make_user):
    invite(admin_client)
    user = User.objects.get(email="dr.new@example.test")
    compliance = Client()
    officer = make_user(Role.COMPLIANCE)
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    compliance.force_login(officer)
    session = compliance.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    mail.outbox.clear()
    sent_before = user.activation_sent_at
    compliance.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "resend_invitation", "_selected_action": [user.pk]},
    )
    assert mail.outbox == []
    user.refresh_from_db()
    assert user.activation_sent_at == sent_before
