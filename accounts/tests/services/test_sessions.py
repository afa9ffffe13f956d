"""Browser sessions: recorded at login with a rotated key, idle and absolute timeouts enforced on
the server, listed and revocable by their owner (pages and API), ended by password, role and
active-flag changes together with the refresh tokens."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import EndReason, UserSession, hash_session_key
from accounts.policies import idle_timeout_for
from accounts.roles import Role
from accounts.services.sessions import user_end_sessions
from accounts.services.users import user_set_active, user_set_role
from accounts.tests.helpers import CHROME_MAC, FIREFOX, browser, force_verified_login, sign_in
from audit.models import AuditEvent


@pytest.mark.django_db
def test_login_rotates_the_session_key_and_records_the_session(make_user, password):
    user = make_user()
    client = browser()
    client.get(reverse("accounts:login"))
    client.cookies[settings.SESSION_COOKIE_NAME] = "attackerchosenfixedsessionkey0001"
    anonymous_key = client.cookies[settings.SESSION_COOKIE_NAME].value

    assert sign_in(client, user.email, password).status_code == 302

    signed_in_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert signed_in_key != anonymous_key, "session fixation: the key changes at login"
    session = UserSession.objects.get(user=user)
    assert session.session_key_hash == hash_session_key(signed_in_key)
    assert signed_in_key not in str(UserSession.objects.values().get()), "only a hash of the key is stored"
    assert (session.ip_address, session.device_label) == ("203.0.113.10", "Firefox on Windows")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "idle_minutes_allowed"),
    [(Role.NURSE, 15), (Role.RECEPTIONIST, 15), (Role.PATIENT, 60)],
)
def test_the_idle_timeout_signs_out_staff_after_15_minutes_and_patients_later(make_user, role, idle_minutes_allowed):
    user = make_user(role)
    client = browser()
    start = timezone.now()
    with freeze_time(start):
        force_verified_login(client, user)
    with freeze_time(start + timedelta(minutes=idle_minutes_allowed - 1)):
        assert client.get(reverse("accounts:profile")).status_code == 200
    with freeze_time(start + timedelta(minutes=2 * idle_minutes_allowed - 1)):
        assert client.get(reverse("accounts:profile")).status_code == 200, "activity resets the idle clock"
    with freeze_time(start + timedelta(minutes=3 * idle_minutes_allowed)):
        response = client.get(reverse("accounts:profile"))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
        follow = client.get(response["Location"])
        assert "signed out after a period of inactivity" in follow.content.decode()
    event = AuditEvent.objects.get(action="auth.session_end", target_user_id=user.pk)
    assert event.details["reason"] == EndReason.IDLE
    # The session is gone for good, not only for that request.
    assert client.get(reverse("accounts:profile")).status_code == 302


@pytest.mark.django_db
@override_settings(SESSION_COOKIE_AGE=14 * 3600)
def test_the_absolute_timeout_ends_even_an_active_session_after_12_hours(make_user):
    """Django's own session expiry moves with every change of the session; this limit does not.
    (The cookie age is raised here so that the test sees our limit, not Django's.)"""
    user = make_user(Role.DOCTOR)
    client = browser()
    start = timezone.now()
    with freeze_time(start):
        force_verified_login(client, user)
    for minutes in range(10, 12 * 60, 10):
        with freeze_time(start + timedelta(minutes=minutes)):
            assert client.get(reverse("accounts:profile")).status_code == 200
    with freeze_time(start + timedelta(hours=12, minutes=5)):
        response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert UserSession.objects.get(user=user).end_reason == EndReason.ABSOLUTE


@pytest.mark.django_db
def test_the_sessions_page_lists_device_ip_and_times_and_marks_this_one(make_user, password):
    user = make_user()
    laptop, phone = browser(FIREFOX, "203.0.113.10"), browser(CHROME_MAC, "198.51.100.20")
    sign_in(laptop, user.email, password)
    sign_in(phone, user.email, password)

    html = laptop.get(reverse("accounts:sessions")).content.decode()

    assert "Firefox on Windows" in html and "Chrome on macOS" in html
    assert "203.0.113.10" in html and "198.51.100.20" in html
    assert html.count("This session") == 1


@pytest.mark.django_db
def test_signing_out_another_session_ends_it_and_keeps_this_one(make_user, password):
    user = make_user()
    laptop, phone = browser(), browser(CHROME_MAC, "198.51.100.20")
    sign_in(laptop, user.email, password)
    sign_in(phone, user.email, password)
    phone_session = UserSession.objects.get(user=user, ip_address="198.51.100.20")

    response = laptop.post(reverse("accounts:session_end", args=[phone_session.pk]))

    assert response.status_code == 302
    assert phone.get(reverse("dashboard")).status_code == 302
    assert laptop.get(reverse("dashboard")).status_code == 200


@pytest.mark.django_db
def test_sign_out_all_others(make_user, password):
    user = make_user()
    clients = [browser(ip=f"203.0.113.{n}") for n in range(1, 4)]
    for client in clients:
        sign_in(client, user.email, password)
    clients[0].post(reverse("accounts:sessions_end_others"))
    assert [c.get(reverse("dashboard")).status_code for c in clients] == [200, 302, 302]


@pytest.mark.django_db
def test_nobody_can_end_or_see_another_users_session(make_user, password):
    victim, attacker = make_user(), make_user()
    victim_client, attacker_client = browser(), browser()
    sign_in(victim_client, victim.email, password)
    sign_in(attacker_client, attacker.email, password)
    victim_session = UserSession.objects.get(user=victim)

    assert attacker_client.post(reverse("accounts:session_end", args=[victim_session.pk])).status_code == 404
    assert victim_client.get(reverse("dashboard")).status_code == 200
    assert "203.0.113.10" in attacker_client.get(reverse("accounts:sessions")).content.decode()  # own only
    assert attacker_client.get(reverse("accounts:sessions")).content.decode().count("<tr>") == 2  # head + one


@pytest.mark.django_db
def test_ending_a_session_needs_post(make_user, password):
    user = make_user()
    client = browser()
    sign_in(client, user.email, password)
    session = UserSession.objects.get(user=user)
    assert client.get(reverse("accounts:session_end", args=[session.pk])).status_code == 405
    assert client.get(reverse("dashboard")).status_code == 200


@pytest.mark.django_db
def test_signing_out_ends_the_session_row(make_user, password):
    user = make_user()
    client = browser()
    sign_in(client, user.email, password)
    client.post(reverse("accounts:logout"))
    assert UserSession.objects.get(user=user).end_reason == EndReason.SIGNED_OUT


@pytest.mark.django_db
def test_user_end_sessions_ends_all_but_the_kept_one_and_blacklists_refresh_tokens(make_user, password):
    user = make_user()
    kept, other = browser(), browser(ip="198.51.100.1")
    sign_in(kept, user.email, password)
    sign_in(other, user.email, password)
    tokens = [RefreshToken.for_user(user) for _ in range(2)]

    ended, revoked = user_end_sessions(
        user=user, except_session_key=kept.cookies[settings.SESSION_COOKIE_NAME].value, reason=EndReason.MFA_CHANGE
    )

    assert (ended, revoked) == (1, 2)
    assert kept.get(reverse("dashboard")).status_code == 200
    assert other.get(reverse("dashboard")).status_code == 302
    assert BlacklistedToken.objects.filter(token__jti__in=[t["jti"] for t in tokens]).count() == 2
    event = AuditEvent.objects.get(action="auth.sessions_end_all")
    assert event.details == {
        "reason": "mfa_change",
        "sessions_ended": 1,
        "refresh_tokens_revoked": 2,
        "kept_current": True,
    }


@pytest.mark.django_db
def test_a_refresh_token_revoked_by_user_end_sessions_no_longer_refreshes(make_user):
    user = make_user()
    refresh = RefreshToken.for_user(user)
    RefreshToken(str(refresh)).check_blacklist()  # valid before
    user_end_sessions(user=user, reason=EndReason.PASSWORD_RESET)
    with pytest.raises(TokenError):
        RefreshToken(str(refresh)).check_blacklist()


@pytest.mark.django_db
def test_a_role_change_ends_the_users_sessions_and_refresh_tokens(make_user, password):
    user = make_user(Role.NURSE)
    client = browser()
    sign_in(client, user.email, password)
    refresh = RefreshToken.for_user(user)
    user_set_role(actor=make_user(Role.ADMIN), user=user, role=Role.DOCTOR)
    assert client.get(reverse("dashboard")).status_code == 302
    assert BlacklistedToken.objects.filter(token__jti=refresh["jti"]).exists()
    assert AuditEvent.objects.get(action="auth.sessions_end_all").details["reason"] == "role_change"


@pytest.mark.django_db
def test_deactivation_ends_the_users_sessions_and_refresh_tokens(make_user, password):
    user = make_user(Role.RECEPTIONIST)
    client = browser()
    sign_in(client, user.email, password)
    refresh = RefreshToken.for_user(user)
    user_set_active(actor=make_user(Role.ADMIN), user=user, active=False)
    assert not UserSession.objects.filter(user=user, ended_at__isnull=True).exists()
    assert client.get(reverse("dashboard")).status_code == 302
    assert BlacklistedToken.objects.filter(token__jti=refresh["jti"]).exists()


@pytest.mark.django_db
def test_a_session_without_a_session_row_is_refused(make_user, password):
    """A session the list does not know (ended, or older than this feature) cannot be used."""
    user = make_user()
    client = browser()
    sign_in(client, user.email, password)
    UserSession.objects.filter(user=user).delete()
    assert client.get(reverse("dashboard")).status_code == 302


@pytest.mark.django_db
def test_signing_out_this_session_from_the_list_signs_out_here(make_user, password):
    user = make_user()
    client = browser()
    sign_in(client, user.email, password)
    own = UserSession.objects.get(user=user)
    response = client.post(reverse("accounts:session_end", args=[own.pk]), follow=True)
    assert "You have signed out of HealthPro." in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302


@pytest.mark.django_db
def test_idle_sessions_are_not_listed(make_user, password):
    user = make_user(Role.NURSE)
    old, fresh = browser(ip="198.51.100.1"), browser()
    start = timezone.now()
    with freeze_time(start):
        sign_in(old, user.email, password)
    with freeze_time(start + timedelta(minutes=20)):
        sign_in(fresh, user.email, password)
        html = fresh.get(reverse("accounts:sessions")).content.decode()
    assert "198.51.100.1" not in html


@pytest.mark.django_db
def test_a_superuser_without_a_role_gets_the_staff_idle_timeout(make_user):
    operator = make_user(is_superuser=True, is_staff=True)
    patient = make_user(Role.PATIENT)
    assert idle_timeout_for(operator) == timedelta(seconds=settings.STAFF_IDLE_TIMEOUT_SECONDS)
    assert idle_timeout_for(patient) == timedelta(seconds=settings.PATIENT_IDLE_TIMEOUT_SECONDS)
    assert settings.PATIENT_IDLE_TIMEOUT_SECONDS > settings.STAFF_IDLE_TIMEOUT_SECONDS


@pytest.mark.django_db
def test_signing_in_again_in_the_same_browser_leaves_one_live_session(make_user):
    user = make_user()
    client = browser()
    client.force_login(user)
    client.force_login(user)  # login() again on the same session, as a second sign-in form would
    live = UserSession.objects.filter(user=user, ended_at__isnull=True)
    assert live.count() == 1
    assert UserSession.objects.get(user=user, ended_at__isnull=False).end_reason == EndReason.SIGNED_IN_AGAIN
    assert client.get(reverse("dashboard")).status_code == 200
