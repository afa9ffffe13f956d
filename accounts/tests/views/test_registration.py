"""Patient self-registration: inactive until the e-mailed link is used; the link is signed,
single-use and expires; resend is rate-limited; answers do not reveal known addresses."""

from unittest import mock

import pytest
from django.contrib.auth import hashers
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIRequestFactory
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer

from accounts.models import ActivationKind, User
from accounts.roles import Role
from accounts.services.link_tokens import uidb64_for
from accounts.services.users import user_set_active
from accounts.tests.helpers import only_link_to, sign_in
from audit.models import AuditEvent

SIGNUP_PASSWORD = "Sunny-Meadow-2026"
VERIFY_PREFIX = "/accounts/verify/"


def signup(client, email="new.patient@example.test", full_name="Nora Patient", password=SIGNUP_PASSWORD):
    return client.post(
        reverse("accounts:signup"),
        {"full_name": full_name, "email": email, "password1": password, "password2": password},
    )


@pytest.mark.django_db
def test_signup_creates_an_inactive_patient_and_emails_a_confirmation_link(client):
    response = signup(client, email="New.Patient@Example.test")

    assert response.status_code == 302 and response["Location"] == reverse("accounts:signup_done")
    user = User.objects.get(email="new.patient@example.test")
    assert not user.is_active
    assert user.role is Role.PATIENT
    assert user.activation_pending == ActivationKind.SIGNUP
    assert user.check_password(SIGNUP_PASSWORD)
    [message] = mail.outbox
    assert message.to == ["new.patient@example.test"]
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    assert only_link_to(user.email, VERIFY_PREFIX)
    assert AuditEvent.objects.filter(action="account.signup", target_user_id=user.pk, outcome="success").exists()


@pytest.mark.django_db
def test_an_unverified_account_cannot_sign_in(client):
    signup(client)
    response = sign_in(client, "new.patient@example.test", SIGNUP_PASSWORD)
    assert response.status_code == 200
    assert "The e-mail address or password is not correct." in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_opening_the_link_shows_a_button_and_changes_nothing_then_confirming_activates(client):
    signup(client)
    link = only_link_to("new.patient@example.test", VERIFY_PREFIX)

    page = client.get(link)
    assert page.status_code == 200
    assert "Confirm my e-mail address" in page.content.decode()
    assert not User.objects.get(email="new.patient@example.test").is_active, "GET changes nothing"

    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    user = User.objects.get(email="new.patient@example.test")
    assert user.is_active and user.email_verified_at is not None and user.activation_pending == ""
    verified = AuditEvent.objects.filter(action="account.email_verified", outcome="success", target_user_id=user.pk)
    assert verified.exists()

    assert sign_in(client, user.email, SIGNUP_PASSWORD).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


@pytest.mark.django_db
def test_the_link_works_once(client):
    signup(client)
    link = only_link_to("new.patient@example.test", VERIFY_PREFIX)
    client.post(link)
    again = client.post(link)
    assert again.status_code == 400
    assert "This link does not work" in again.content.decode()
    assert AuditEvent.objects.filter(action="account.email_verified", outcome="failure").exists()


@pytest.mark.django_db
def test_the_link_expires_after_24_hours(client):
    with freeze_time("2026-03-01 08:00:00"):
        signup(client)
    link = only_link_to("new.patient@example.test", VERIFY_PREFIX)
    with freeze_time("2026-03-02 08:00:30"):
        assert client.post(link).status_code == 400
    assert not User.objects.get(email="new.patient@example.test").is_active


@pytest.mark.django_db
def test_a_link_still_works_just_before_it_expires(client):
    with freeze_time("2026-03-01 08:00:00"):
        signup(client)
    link = only_link_to("new.patient@example.test", VERIFY_PREFIX)
    with freeze_time("2026-03-02 07:59:00"):
        assert client.post(link).status_code == 302


@pytest.mark.django_db
def test_a_tampered_link_or_another_users_uid_is_refused(client, make_user):
    signup(client)
    link = only_link_to("new.patient@example.test", VERIFY_PREFIX)
    prefix, uid, token, _ = link.rsplit("/", 3)
    tampered = f"{prefix}/{uid}/{token[:-1]}{'0' if token[-1] != '0' else '1'}/"
    assert client.post(tampered).status_code == 400
    other = make_user(is_active=False, activation_pending=ActivationKind.SIGNUP)
    assert client.post(f"{prefix}/{uidb64_for(other)}/{token}/").status_code == 400
    assert not User.objects.filter(is_active=True, email="new.patient@example.test").exists()
    other.refresh_from_db()
    assert not other.is_active


@pytest.mark.django_db
def test_a_deactivated_account_cannot_reactivate_itself_with_an_old_link(client, make_user):
    signup(client)
    link = only_link_to("new.patient@example.test", VERIFY_PREFIX)
    user = User.objects.get(email="new.patient@example.test")
    client.post(link)
    user_set_active(actor=make_user(Role.ADMIN), user=User.objects.get(pk=user.pk), active=False)
    assert client.post(link).status_code == 400
    assert not User.objects.get(pk=user.pk).is_active


@pytest.mark.django_db
def test_signup_for_a_known_address_answers_the_same_hashes_the_same_and_changes_nothing(client, make_user):
    existing = make_user(email="known@example.test")
    password_before = existing.password
    default_hasher = type(hashers.get_hasher("default"))
    with mock.patch.object(default_hasher, "encode", autospec=True, side_effect=default_hasher.encode) as encode:
        known = signup(client, email="known@example.test")
        known_calls = encode.call_count
        encode.reset_mock()
        unknown = signup(client, email="unknown@example.test")
        unknown_calls = encode.call_count

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known_calls == unknown_calls == 1, "one password hash on both paths"
    existing.refresh_from_db()
    assert existing.password == password_before and existing.is_active
    known_mail = [m for m in mail.outbox if m.to == ["known@example.test"]]
    assert len(known_mail) == 1 and "already has an account" in known_mail[0].body
    assert VERIFY_PREFIX not in known_mail[0].body
    event = AuditEvent.objects.get(action="account.signup", outcome="failure", target_user_id=existing.pk)
    assert event.details == {"reason": "address_in_use"}


@pytest.mark.django_db
def test_signup_checks_the_password_policy_and_shows_what_to_change(client):
    response = signup(client, password="short")
    assert response.status_code == 200
    html = response.content.decode()
    assert "at least 12 characters" in html
    assert 'aria-invalid="true"' in html
    assert not User.objects.filter(email="new.patient@example.test").exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_signup_refuses_a_password_like_the_name():

    response = signup(Client(), full_name="Bartholomew Quixote", password="Bartholomew-Quixote1")
    assert "too similar" in response.content.decode()


@pytest.mark.django_db
@override_settings(SIGNUP_ENABLED=False)
def test_signup_can_be_switched_off(client):
    assert client.get(reverse("accounts:signup")).status_code == 404
    assert signup(client).status_code == 404
    assert client.get(reverse("accounts:verification_resend")).status_code == 404
    assert not User.objects.exists()
    assert "Create a patient account" not in client.get(reverse("accounts:login")).content.decode()


@pytest.mark.django_db
def test_the_login_page_links_to_signup_and_reset(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:signup") in html and reverse("accounts:password_reset") in html


@pytest.mark.django_db
def test_resend_sends_a_new_link_that_voids_the_old_one(client):
    with freeze_time("2026-03-01 08:00:00"):
        signup(client)
    old_link = only_link_to("new.patient@example.test", VERIFY_PREFIX)
    mail.outbox.clear()
    with freeze_time("2026-03-01 09:00:00"):
        response = client.post(reverse("accounts:verification_resend"), {"email": "new.patient@example.test"})
        assert response.status_code == 302
        new_link = only_link_to("new.patient@example.test", VERIFY_PREFIX)
        assert new_link != old_link
        assert client.post(old_link).status_code == 400
        assert client.post(new_link).status_code == 302
    assert AuditEvent.objects.filter(action="account.verification_resend", outcome="success").exists()


@pytest.mark.django_db
def test_resend_answers_the_same_for_unknown_and_active_addresses_and_sends_nothing(client, make_user):
    signup(client)
    mail.outbox.clear()
    active = make_user(email="active@example.test")
    answers = [
        client.post(reverse("accounts:verification_resend"), {"email": email})
        for email in ("new.patient@example.test", "nobody@example.test", active.email)
    ]
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, reverse("accounts:signup_done"))}
    assert [m.to for m in mail.outbox] == [["new.patient@example.test"]]


@pytest.mark.django_db
@override_settings(ACCOUNT_EMAIL_RATE_LIMIT_PER_HOUR=3)
def test_resend_is_rate_limited_per_address_and_client_ip(client):
    signup(client)
    mail.outbox.clear()
    for _ in range(5):
        client.post(reverse("accounts:verification_resend"), {"email": "new.patient@example.test"})
    assert len(mail.outbox) == 3
    assert (
        AuditEvent.objects.filter(
            action="account.verification_resend", outcome="failure", details={"reason": "rate_limited"}
        ).count()
        == 2
    )
    # Another client IP is counted apart.
    client.post(
        reverse("accounts:verification_resend"), {"email": "new.patient@example.test"}, REMOTE_ADDR="198.51.100.7"
    )
    assert len(mail.outbox) == 4


@pytest.mark.django_db
def test_no_audit_row_or_email_url_carries_the_password(client):
    signup(client, password="Canary-Pw-4411-xyz")
    for event in AuditEvent.objects.all():
        assert "Canary-Pw-4411-xyz" not in str(event.details)
    for message in mail.outbox:
        assert "Canary-Pw-4411-xyz" not in message.body


@pytest.mark.django_db
def test_signup_and_confirmation_need_a_csrf_token(client):

    strict = Client(enforce_csrf_checks=True)
    assert signup(strict).status_code == 403
    assert not User.objects.exists()
    signup(client)
    link = only_link_to("new.patient@example.test", VERIFY_PREFIX)
    assert strict.post(link).status_code == 403
    assert not User.objects.get(email="new.patient@example.test").is_active


@pytest.mark.django_db
def test_a_signed_in_user_is_sent_to_the_dashboard_instead_of_signup(client, make_user):
    client.force_login(make_user())
    response = signup(client, email="second.account@example.test")
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert not User.objects.filter(email="second.account@example.test").exists()


@pytest.mark.django_db
def test_an_unverified_account_cannot_obtain_api_tokens_either():
    """simplejwt's token serializer authenticates through the same backends, which refuse inactive
    accounts (the token endpoint itself is the login flow's)."""
    signup(Client())
    request = APIRequestFactory().post("/api/v1/auth/token/")
    serializer = TokenObtainPairSerializer(
        data={"email": "new.patient@example.test", "password": SIGNUP_PASSWORD}, context={"request": request}
    )
    with pytest.raises(AuthenticationFailed):
        serializer.is_valid(raise_exception=True)

    User.objects.filter(email="new.patient@example.test").update(is_active=True)
    serializer = TokenObtainPairSerializer(
        data={"email": "new.patient@example.test", "password": SIGNUP_PASSWORD}, context={"request": request}
    )
    assert serializer.is_valid(), "the control: once verified, the same credentials work"
