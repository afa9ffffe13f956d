import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.tests.helpers import sign_in
from audit.models import AuditEvent

NEW_PASSWORD = "Velvet-Orchard-5150"


def change(client, old, new=NEW_PASSWORD):
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


@pytest.mark.django_db
def test_changing_the_password_keeps_this_session_ends_the_others_and_emails(client, make_user, password):
    user = make_user()
    other = Client()
    sign_in(other, user.email, password)
    sign_in(client, user.email, password)
    refresh = RefreshToken.for_user(user)
    mail.outbox.clear()

    response = change(client, password)

    assert response.status_code == 302 and response["Location"] == reverse("accounts:profile")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("dashboard")).status_code == 200, "this session stays signed in"
    assert other.get(reverse("dashboard")).status_code == 302, "the other session has ended"
    assert BlacklistedToken.objects.filter(token__jti=refresh["jti"]).exists()
    assert [m.to for m in mail.outbox] == [[user.email]] and "was changed" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="auth.password_change", outcome="success", target_user_id=user.pk)


@pytest.mark.django_db
def test_a_wrong_current_password_changes_nothing_and_is_audited(client, make_user, password):
    user = make_user()
    sign_in(client, user.email, password)
    response = change(client, "Not-The-Password-1")
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(password)
    event = AuditEvent.objects.get(action="auth.password_change", outcome="failure")
    assert event.details == {"reason": "wrong_current_password"}


@pytest.mark.django_db
def test_the_current_password_cannot_be_reused(client, make_user, password):
    user = make_user()
    sign_in(client, user.email, password)
    response = change(client, password, new=password)
    assert "used this password recently" in response.content.decode()


@pytest.mark.django_db
def test_the_change_page_needs_a_signed_in_user(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
