"""Password reset by e-mailed link: 1 hour, single use, same answer for any address; completing
it ends every session and refresh token, signs nobody in, and tells the user."""

from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client, override_settings
from django.urls import reverse
from freezegun import freeze_time
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import UserSession
from accounts.tests.helpers import only_link_to, sign_in
from audit.models import AuditEvent

RESET_PREFIX = "/accounts/password/reset/"
NEW_PASSWORD = "Granite-Lighthouse-42"


def request_reset(client, email):
    return client.post(reverse("accounts:password_reset"), {"email": email})


def complete(client, link, password=NEW_PASSWORD):
    landing = client.get(link)
    if landing.status_code != 302:
        return landing
    return client.post(landing["Location"], {"new_password1": password, "new_password2": password})


def reset_link(email):
    return only_link_to(email, RESET_PREFIX)


@pytest.mark.django_db
def test_a_reset_sets_the_new_password_ends_sessions_and_tokens_and_signs_nobody_in(client, make_user, password):
    user = make_user()
    other_browser = Client()
    assert sign_in(other_browser, user.email, password).status_code == 302
    refresh = RefreshToken.for_user(user)
    mail.outbox.clear()

    assert request_reset(client, user.email)["Location"] == reverse("accounts:password_reset_done")
    response = complete(client, reset_link(user.email))

    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert "_auth_user_id" not in client.session, "a reset never signs in (MFA is not bypassed)"
    assert other_browser.get(reverse("dashboard")).status_code == 302, "the other session has ended"
    assert not UserSession.objects.filter(user=user, ended_at__isnull=True).exists()
    assert BlacklistedToken.objects.filter(token__jti=refresh["jti"]).exists()
    changed = [m for m in mail.outbox if "was reset with an e-mailed link" in m.body]
    assert len(changed) == 1 and changed[0].to == [user.email]
    assert AuditEvent.objects.filter(action="auth.password_reset", outcome="success", target_user_id=user.pk)
    assert AuditEvent.objects.filter(action="auth.sessions_end_all", target_user_id=user.pk)


@pytest.mark.django_db
def test_the_reset_link_works_once(client, make_user):
    user = make_user()
    request_reset(client, user.email)
    link = reset_link(user.email)
    complete(client, link)
    assert complete(client, link, password="Second-Try-Password-9").status_code == 400
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="auth.password_reset", outcome="failure").exists()


@pytest.mark.django_db
def test_the_reset_link_expires_after_an_hour(client, make_user, password):
    user = make_user()
    with freeze_time("2026-05-01 10:00:00"):
        request_reset(client, user.email)
    link = reset_link(user.email)
    with freeze_time("2026-05-01 11:00:30"):
        assert complete(client, link).status_code == 400
    user.refresh_from_db()
    assert user.check_password(password)


@pytest.mark.django_db
def test_unknown_inactive_and_known_addresses_get_the_same_answer_and_only_the_known_one_mail(client, make_user):
    known = make_user()
    inactive = make_user(is_active=False)
    answers = [request_reset(client, email) for email in (known.email, "nobody@example.test", inactive.email)]
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, reverse("accounts:password_reset_done"))}
    assert [m.to for m in mail.outbox] == [[known.email]]
    failures = AuditEvent.objects.filter(action="auth.password_reset_request", outcome="failure")
    assert failures.count() == 2


@pytest.mark.django_db
@override_settings(ACCOUNT_EMAIL_RATE_LIMIT_PER_HOUR=2)
def test_reset_requests_are_rate_limited(client, make_user):
    user = make_user()
    for _ in range(4):
        request_reset(client, user.email)
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_new_password_must_meet_the_policy_and_not_be_a_recent_one(client, make_user, password):
    user = make_user()
    request_reset(client, user.email)
    response = complete(client, reset_link(user.email), password=password)
    assert response.status_code == 200
    assert "used this password recently" in response.content.decode()


@pytest.mark.django_db
def test_the_reset_email_link_carries_the_token_but_the_form_url_does_not(client, make_user):
    user = make_user()
    request_reset(client, user.email)
    link = reset_link(user.email)
    landing = client.get(link)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in landing["Location"]
    for event in AuditEvent.objects.all():
        assert token not in str(event.details)


@pytest.mark.django_db
def test_known_and_unknown_addresses_cost_the_same_email_rendering(client, make_user):
    """No shortcut on the unknown path: the same e-mail is built (and not sent)."""
    user = make_user()
    with mock.patch.object(
        EmailMultiAlternatives, "message", autospec=True, side_effect=EmailMultiAlternatives.message
    ) as build:
        request_reset(client, user.email)
        known = build.call_count
        build.reset_mock()
        request_reset(client, "nobody@example.test")
        unknown = build.call_count
    assert known == unknown == 1
    assert [m.to for m in mail.outbox] == [[user.email]]


@pytest.mark.django_db
def test_the_reset_request_needs_a_csrf_token(make_user):
    user = make_user()
    response = Client(enforce_csrf_checks=True).post(reverse("accounts:password_reset"), {"email": user.email})
    assert response.status_code == 403
    assert mail.outbox == []
