"""The JWT signing key: derived from SECRET_KEY by default, never SECRET_KEY itself."""

import hashlib
import hmac

import pytest
from django.conf import settings

from healthpro.tests.startup import SETUP, production_env, run_django


def test_the_default_signing_key_is_derived_and_differs_from_secret_key():
    expected = hmac.new(settings.SECRET_KEY.encode(), b"healthpro.jwt.signing-key", hashlib.sha256).hexdigest()
    assert settings.SIMPLE_JWT["SIGNING_KEY"] == expected != settings.SECRET_KEY
    assert settings.SIMPLE_JWT["AUDIENCE"] and settings.SIMPLE_JWT["ISSUER"]
    assert settings.SIMPLE_JWT["ROTATE_REFRESH_TOKENS"] and settings.SIMPLE_JWT["BLACKLIST_AFTER_ROTATION"]
    assert settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds() == 300
    assert settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"].total_seconds() <= 24 * 3600


@pytest.mark.parametrize("reuse", [True, False])
def test_a_signing_key_equal_to_secret_key_or_too_short_stops_start_up(reuse):
    env = production_env()
    env["JWT_SIGNING_KEY"] = env["SECRET_KEY"] if reuse else "short"
    result = run_django(SETUP, env)
    assert result.returncode != 0
    assert "JWT_SIGNING_KEY must be at least 32 characters" in result.stderr.strip().splitlines()[-1]
    assert env["SECRET_KEY"] not in result.stderr


def test_refresh_lifetime_is_capped_at_24_hours():
    code = f"{SETUP}; from django.conf import settings; print(settings.SIMPLE_JWT['REFRESH_TOKEN_LIFETIME'])"
    result = run_django(code, production_env(JWT_REFRESH_TOKEN_HOURS="72"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1 day, 0:00:00"
