"""An MFA change ends the user's other browser sessions and refresh tokens; the session that made
the change stays signed in. An administrator's authenticator reset ends all of them."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import EndReason, UserSession
from accounts.roles import Role
from accounts.services.mfa import mfa_reset
from accounts.services.tokens import token_pair_issue
from accounts.tests.helpers import force_verified_login


def _signed_in(user, ip):
    return force_verified_login(Client(REMOTE_ADDR=ip), user)


@pytest.mark.django_db
def test_regenerating_recovery_codes_ends_the_other_sessions_but_not_this_one(make_user):
    nurse = make_user(Role.NURSE)
    here = _signed_in(nurse, "203.0.113.1")
    elsewhere = _signed_in(nurse, "198.51.100.7")
    token_pair_issue(user=nurse, mfa=True)

    assert here.post(reverse("accounts:mfa_recovery_codes")).status_code == 200

    assert here.get(reverse("accounts:profile")).status_code == 200
    assert UserSession.objects.filter(user=nurse, ended_at__isnull=True).count() == 1
    response = elsewhere.get(reverse("accounts:profile"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    ended = UserSession.objects.get(user=nurse, ended_at__isnull=False)
    assert ended.end_reason == EndReason.MFA_CHANGE
    assert (
        not OutstandingToken.objects.filter(user=nurse)
        .exclude(pk__in=BlacklistedToken.objects.values("token_id"))
        .exists()
    ), "every refresh token is revoked"


@pytest.mark.django_db
def test_an_admin_reset_of_the_authenticator_ends_every_session(make_user):
    doctor = make_user(Role.DOCTOR)
    browser = _signed_in(doctor, "203.0.113.1")
    mfa_reset(actor=make_user(Role.ADMIN), user=doctor)
    response = browser.get(reverse("accounts:profile"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert not UserSession.objects.filter(user=doctor, ended_at__isnull=True).exists()
