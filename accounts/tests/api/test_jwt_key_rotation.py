"""Rotating the JWT signing key: tokens signed under a key in JWT_PREVIOUS_SIGNING_KEYS keep
working (access and refresh) while it is listed, new tokens are always signed under the current
key, and once the old key is removed its tokens answer 401."""

import hashlib
import hmac
import secrets

import jwt
import pytest
from django.conf import settings
from rest_framework_simplejwt.state import token_backend

from accounts.roles import Role
from accounts.services.tokens import token_pair_issue
from healthpro.tests.startup import SETUP, production_env, run_django

pytestmark = [pytest.mark.django_db, pytest.mark.urls("accounts.tests.urls")]

REFRESH = "/api/v1/auth/token/refresh/"
ME = "/api/v1/auth/me/"
OLD_KEY = secrets.token_urlsafe(32)


@pytest.fixture
def old_pair(monkeypatch, make_user):
    """A token pair of a patient, issued while OLD_KEY was the signing key."""

    def issue():
        with monkeypatch.context() as patch:
            patch.setattr(token_backend, "prepared_signing_key", token_backend._prepare_key(OLD_KEY))
            return token_pair_issue(user=make_user(Role.PATIENT), mfa=False)

    return issue


def signed_under(token: str, key: str) -> bool:
    try:
        jwt.decode(token, key, algorithms=["HS256"], audience=settings.SIMPLE_JWT["AUDIENCE"])
    except jwt.InvalidSignatureError:
        return False
    return True


def me(api_client, access: str) -> int:
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return api_client.get(ME).status_code


def refresh(api_client, token: str):
    api_client.credentials()
    return api_client.post(REFRESH, {"refresh": token}, format="json")


def test_an_access_token_under_the_old_key_works_while_listed_and_is_401_once_dropped(api_client, settings, old_pair):
    access = old_pair()["access"]
    assert signed_under(access, OLD_KEY)
    settings.JWT_PREVIOUS_SIGNING_KEYS = []
    assert me(api_client, access) == 401, "not listed: refused"
    settings.JWT_PREVIOUS_SIGNING_KEYS = [secrets.token_urlsafe(32), OLD_KEY]
    assert me(api_client, access) == 200
    settings.JWT_PREVIOUS_SIGNING_KEYS = []
    assert me(api_client, access) == 401


def test_a_refresh_token_under_the_old_key_is_exchanged_for_a_pair_under_the_current_key(
    api_client, settings, old_pair
):
    pair = old_pair()
    settings.JWT_PREVIOUS_SIGNING_KEYS = [OLD_KEY]
    response = refresh(api_client, pair["refresh"])
    assert response.status_code == 200, response.content
    renewed = response.json()
    current = settings.SIMPLE_JWT["SIGNING_KEY"]
    assert signed_under(renewed["access"], current) and signed_under(renewed["refresh"], current)
    assert not signed_under(renewed["access"], OLD_KEY)
    settings.JWT_PREVIOUS_SIGNING_KEYS = []
    assert me(api_client, renewed["access"]) == 200, "what was renewed during the rotation outlives the old key"
    assert refresh(api_client, renewed["refresh"]).status_code == 200


def test_a_refresh_token_under_a_dropped_key_is_401(api_client, settings, old_pair):
    pair = old_pair()
    settings.JWT_PREVIOUS_SIGNING_KEYS = []
    response = refresh(api_client, pair["refresh"])
    assert response.status_code == 401


def test_an_earlier_key_does_not_lift_the_other_checks(api_client, settings, old_pair):
    """A refresh token signed under an earlier key is still no access token."""
    pair = old_pair()
    settings.JWT_PREVIOUS_SIGNING_KEYS = [OLD_KEY]
    assert me(api_client, pair["refresh"]) == 401


def test_previous_keys_are_read_from_the_environment_and_derived_from_secret_key_fallbacks():
    fallback, previous = secrets.token_urlsafe(50), secrets.token_urlsafe(32)
    show = f"{SETUP}; from django.conf import settings; print(settings.JWT_PREVIOUS_SIGNING_KEYS)"
    derived = hmac.new(fallback.encode(), b"healthpro.jwt.signing-key", hashlib.sha256).hexdigest()
    result = run_django(show, production_env(SECRET_KEY_FALLBACKS=fallback))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str([derived]), "no JWT_SIGNING_KEY: the key derived from the old SECRET_KEY"
    result = run_django(
        show,
        production_env(
            SECRET_KEY_FALLBACKS=fallback,
            JWT_SIGNING_KEY=secrets.token_urlsafe(32),
            JWT_PREVIOUS_SIGNING_KEYS=previous,
        ),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str([previous])


@pytest.mark.parametrize("bad", ["change-me", "short", "same"])
def test_a_bad_previous_signing_key_stops_start_up(bad):
    env = production_env(JWT_SIGNING_KEY=secrets.token_urlsafe(32))
    env["JWT_PREVIOUS_SIGNING_KEYS"] = env["JWT_SIGNING_KEY"] if bad == "same" else bad
    result = run_django(SETUP, env)
    assert result.returncode != 0
    assert "JWT_PREVIOUS_SIGNING_KEYS" in result.stderr.strip().splitlines()[-1]
    assert env["JWT_SIGNING_KEY"] not in result.stderr
