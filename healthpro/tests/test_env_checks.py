"""Start-up refuses a missing, placeholder, weak, reused or malformed secret when DEBUG is off.

Each case starts Django in a fresh interpreter with a controlled environment (healthpro.settings,
not the test settings, and no .env) and checks the message names the variable, not the value.
"""

import secrets

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from healthpro.env_checks import check_production_secrets, is_fernet_key, is_placeholder
from healthpro.tests.startup import SETUP, production_env, run_django

SECRET_NAMES = ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "AUDIT_HMAC_KEY"]


def assert_refused(result, *, naming: str, secret_value: str | None = None):
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert naming in last_line, result.stderr
    if secret_value:
        assert secret_value not in result.stderr  # the message names the variable, never the value


def test_valid_production_environment_starts():
    result = run_django(f"{SETUP}; from django.conf import settings; print(settings.DEBUG)", production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_debug_is_off_unless_set():
    env = production_env(DEBUG=None)
    code = f"{SETUP}; from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)"
    result = run_django(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True"


def test_without_debug_and_without_secrets_start_up_fails():
    """Nothing set at all: production mode, and the first secret is named."""
    result = run_django(SETUP, {})
    assert_refused(result, naming="SECRET_KEY is not set")


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_missing_secret_stops_start_up(name):
    assert_refused(run_django(SETUP, production_env(**{name: None})), naming=f"{name} is not set")


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_empty_secret_stops_start_up(name):
    assert_refused(run_django(SETUP, production_env(**{name: ""})), naming=f"{name} is not set")


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_placeholder_secret_stops_start_up(name):
    """The values of .env.example, copied as they are."""
    result = run_django(SETUP, production_env(**{name: "change-me"}))
    assert_refused(result, naming=f"{name} holds a placeholder value")


@pytest.mark.parametrize(
    ("first", "second"),
    [("SECRET_KEY", "BLIND_INDEX_KEY"), ("SECRET_KEY", "AUDIT_HMAC_KEY"), ("BLIND_INDEX_KEY", "AUDIT_HMAC_KEY")],
)
def test_secret_reusing_another_stops_start_up(first, second):
    env = production_env()
    env[second] = env[first]
    result = run_django(SETUP, env)
    assert_refused(result, naming=f"{second} reuses the value of {first}", secret_value=env[first])


def test_fernet_key_reused_as_hmac_key_stops_start_up():
    env = production_env()
    env["BLIND_INDEX_KEY"] = env["FIELD_ENCRYPTION_KEYS"]
    result = run_django(SETUP, env)
    assert_refused(result, naming="BLIND_INDEX_KEY reuses the value of FIELD_ENCRYPTION_KEYS")


def test_short_secret_key_stops_start_up():
    """Django's deploy check wants 50 characters; start-up holds the same bar."""
    short = secrets.token_urlsafe(30)[:40]
    assert_refused(run_django(SETUP, production_env(SECRET_KEY=short)), naming="SECRET_KEY is too short")


@pytest.mark.parametrize(
    "bad_key",
    [
        "not-a-fernet-key-at-all-but-long-enough-for-anything",
        Fernet.generate_key().decode()[:-2] + "=",  # truncated
        Fernet.generate_key().decode().replace("=", ""),  # padding lost
        ("abc!def@ghi#" * 4)[:43] + "=",  # right length, wrong alphabet (base64 would skip it)
    ],
)
def test_malformed_fernet_key_stops_start_up(bad_key):
    result = run_django(SETUP, production_env(FIELD_ENCRYPTION_KEYS=bad_key))
    assert_refused(result, naming="FIELD_ENCRYPTION_KEYS must be a comma-separated list of Fernet keys")
    assert bad_key not in result.stderr


def test_malformed_fernet_key_stops_start_up_even_with_debug_on():
    bad_key = "not-a-fernet-key-at-all-but-long-enough-for-anything"
    result = run_django(SETUP, production_env(DEBUG="True", FIELD_ENCRYPTION_KEYS=bad_key))
    assert_refused(result, naming="FIELD_ENCRYPTION_KEYS")


def test_second_key_of_the_ring_is_checked_too():
    ring = f"{Fernet.generate_key().decode()}, not-a-key-but-quite-long-indeed-yes"
    result = run_django(SETUP, production_env(FIELD_ENCRYPTION_KEYS=ring))
    assert_refused(result, naming="key number 2 is not")


def test_key_ring_for_rotation_starts_and_keeps_order():
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    code = f"{SETUP}; from django.conf import settings; print(settings.FIELD_ENCRYPTION_KEYS)"
    result = run_django(code, production_env(FIELD_ENCRYPTION_KEYS=f"{first}, {second}"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str([first, second])


def test_secret_read_from_a_file_named_by_the_environment(tmp_path):
    secret_key = secrets.token_urlsafe(50)
    key_file = tmp_path / "secret_key"
    key_file.write_text(secret_key + "\n")  # secret files end with a newline
    env = production_env(SECRET_KEY=None, SECRET_KEY_FILE=str(key_file))
    code = f"{SETUP}; from django.conf import settings; print(settings.SECRET_KEY == {secret_key!r})"
    result = run_django(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_placeholder_in_a_secret_file_stops_start_up(tmp_path):
    key_file = tmp_path / "audit_key"
    key_file.write_text("change-me\n")
    env = production_env(AUDIT_HMAC_KEY=None, AUDIT_HMAC_KEY_FILE=str(key_file))
    assert_refused(run_django(SETUP, env), naming="AUDIT_HMAC_KEY holds a placeholder value")


def test_debug_on_accepts_development_values():
    """A local .env may hold short or placeholder values while DEBUG is on."""
    env = production_env(DEBUG="True", SECRET_KEY="dev-secret-key-change-me", BLIND_INDEX_KEY="change-me")
    result = run_django(SETUP, env)
    assert result.returncode == 0, result.stderr


# The checks themselves, without a subprocess


def good_secrets(**overrides):
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
        "BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(32),
    }
    values.update(overrides)
    return values


def test_generated_secrets_are_never_taken_for_placeholders():
    """The old marker "xxx" flagged about one generated key in 500: a flaky start-up."""
    for _ in range(3000):
        assert not is_placeholder(secrets.token_urlsafe(50))
        assert not is_placeholder(secrets.token_urlsafe(32))
        assert not is_placeholder(Fernet.generate_key().decode())
    check_production_secrets(debug=False, secrets=good_secrets())


@pytest.mark.parametrize(
    "value",
    ["change-me", "CHANGEME", "django-insecure-abcdefghijklmnopqrstuvwxyz0123456789abcdefghijk", "x" * 60, "ab" * 30],
)
def test_placeholders_and_low_entropy_values_are_refused(value):
    with pytest.raises(ImproperlyConfigured, match="BLIND_INDEX_KEY holds a placeholder"):
        check_production_secrets(debug=False, secrets=good_secrets(BLIND_INDEX_KEY=value))


def test_the_same_key_twice_in_the_ring_is_refused():
    key = Fernet.generate_key().decode()
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS reuses twice"):
        check_production_secrets(debug=False, secrets=good_secrets(FIELD_ENCRYPTION_KEYS=[key, key]))


def test_fernet_key_format():
    assert is_fernet_key(Fernet.generate_key().decode())
    assert not is_fernet_key("")
    assert not is_fernet_key("A" * 44)
    assert not is_fernet_key(" " + Fernet.generate_key().decode())


def test_secret_key_fallbacks_are_read_as_a_list_and_optional(tmp_path):
    first, second = secrets.token_urlsafe(50), secrets.token_urlsafe(50)
    fallbacks_file = tmp_path / "secret_key_fallbacks"
    fallbacks_file.write_text(f"{first},{second}\n")
    code = f"{SETUP}; from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS == [{first!r}, {second!r}])"
    result = run_django(code, production_env(SECRET_KEY_FALLBACKS_FILE=str(fallbacks_file)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
    code = f"{SETUP}; from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS)"
    assert run_django(code, production_env()).stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("fallback", "message"),
    [
        ("change-me", "SECRET_KEY_FALLBACKS holds a placeholder value"),
        (secrets.token_urlsafe(30), "SECRET_KEY_FALLBACKS is too short"),
    ],
)
def test_a_bad_secret_key_fallback_is_refused(fallback, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        check_production_secrets(debug=False, secrets=good_secrets(SECRET_KEY_FALLBACKS=[fallback]))


def test_a_secret_key_fallback_equal_to_a_secret_is_refused():
    values = good_secrets()
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FALLBACKS reuses the value of SECRET_KEY"):
        check_production_secrets(debug=False, secrets={**values, "SECRET_KEY_FALLBACKS": [values["SECRET_KEY"]]})
    padded = values["AUDIT_HMAC_KEY"] * 2
    values["AUDIT_HMAC_KEY"] = padded
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FALLBACKS reuses the value of AUDIT_HMAC_KEY"):
        check_production_secrets(debug=False, secrets={**values, "SECRET_KEY_FALLBACKS": [padded]})


def test_a_secret_key_fallback_equal_to_another_secret_stops_start_up():
    env = production_env()
    env["SECRET_KEY_FALLBACKS"] = env["SECRET_KEY"]
    assert_refused(run_django(SETUP, env), naming="SECRET_KEY_FALLBACKS reuses the value of SECRET_KEY")


def test_blind_index_keys_ring_and_the_single_key_of_earlier_configurations():
    first, second = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    show = f"{SETUP}; from django.conf import settings as s; print(s.BLIND_INDEX_KEYS == [{first!r}, {second!r}])"
    result = run_django(show, production_env(BLIND_INDEX_KEY=None, BLIND_INDEX_KEYS=f"{first}, {second}"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
    show = (
        f"{SETUP}; from django.conf import settings as s; "
        f"print(s.BLIND_INDEX_KEYS == [s.BLIND_INDEX_KEY] == [{first!r}])"
    )
    result = run_django(show, production_env(BLIND_INDEX_KEY=first))
    assert result.stdout.strip() == "True", result.stderr


def test_blind_index_keys_and_blind_index_key_together_stop_start_up():
    result = run_django(SETUP, production_env(BLIND_INDEX_KEYS=secrets.token_urlsafe(32)))
    assert_refused(result, naming="Set BLIND_INDEX_KEYS or BLIND_INDEX_KEY, not both")


@pytest.mark.parametrize("bad", ["change-me", "short", "same"])
def test_a_bad_key_of_the_blind_index_ring_stops_start_up(bad):
    first = secrets.token_urlsafe(32)
    env = production_env(BLIND_INDEX_KEY=None, BLIND_INDEX_KEYS=f"{first},{first if bad == 'same' else bad}")
    result = run_django(SETUP, env)
    assert_refused(result, naming="BLIND_INDEX_KEYS", secret_value=first)


def test_a_previous_audit_key_equal_to_the_current_one_stops_start_up():
    env = production_env()
    env["AUDIT_HMAC_PREVIOUS_KEYS"] = env["AUDIT_HMAC_KEY"]
    result = run_django(SETUP, env)
    assert_refused(
        result, naming="AUDIT_HMAC_PREVIOUS_KEYS reuses the value of AUDIT_HMAC_KEY", secret_value=env["AUDIT_HMAC_KEY"]
    )
