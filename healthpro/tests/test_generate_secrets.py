"""`manage.py generate_secrets`: fresh values that production start-up accepts, as .env lines or
as 0600 files for the *_FILE variables; `make run`'s .env comes from the same generator.

The command runs in a fresh interpreter with no secret at all, as on a new server, where the
project's settings would refuse to load.
"""

import stat

from django.conf import settings

from healthpro import bootstrap_env
from healthpro.env_checks import check_production_secrets
from healthpro.secret_generation import GENERATORS, secrets_generate
from healthpro.tests.startup import SETUP, production_env, run_django

SECRET_NAMES = ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "AUDIT_HMAC_KEY", "JWT_SIGNING_KEY"]
# Start-up with these secrets, and proof that they are the ones in use.
SHOW_SECRETS = (
    f"{SETUP}; from django.conf import settings as s; "
    "print(s.DEBUG, s.SECRET_KEY, s.FIELD_ENCRYPTION_KEYS[0], s.BLIND_INDEX_KEY, s.AUDIT_HMAC_KEY, s.JWT_SIGNING_KEY)"
)


def parse_env(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))


def without_secrets(**overrides):
    return production_env(**{**{name: None for name in SECRET_NAMES}, **overrides})


def test_every_secret_the_settings_read_is_generated():
    checked = {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "AUDIT_HMAC_KEY"}
    assert checked | {"JWT_SIGNING_KEY"} == set(GENERATORS) == set(SECRET_NAMES)
    assert settings.SIMPLE_JWT["SIGNING_KEY"] == settings.JWT_SIGNING_KEY


def test_generated_values_pass_the_production_checks():
    for _ in range(200):
        values = secrets_generate()
        values["FIELD_ENCRYPTION_KEYS"] = [values["FIELD_ENCRYPTION_KEYS"]]
        check_production_secrets(debug=False, secrets=values)


def test_command_prints_env_lines_that_production_start_up_accepts():
    result = run_django(["generate_secrets"], without_secrets())
    assert result.returncode == 0, result.stderr
    values = parse_env(result.stdout)
    assert list(values) == SECRET_NAMES
    started = run_django(SHOW_SECRETS, without_secrets(**values))
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["False", *values.values()]


def test_two_runs_give_different_values():
    first = parse_env(run_django(["generate_secrets"], {}).stdout)
    second = parse_env(run_django(["generate_secrets"], {}).stdout)
    assert first and second
    assert not set(first.values()) & set(second.values())


def test_dir_writes_0600_files_for_the_file_variables(tmp_path):
    folder = tmp_path / "secrets"
    result = run_django(["generate_secrets", "--dir", str(folder)], {})
    assert result.returncode == 0, result.stderr
    file_variables = parse_env(result.stdout)
    assert list(file_variables) == [f"{name}_FILE" for name in SECRET_NAMES]
    for path in file_variables.values():
        mode = stat.S_IMODE((folder / path).stat().st_mode)
        assert mode == 0o600, (path, oct(mode))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    values = [(folder / path).read_text().strip() for path in file_variables.values()]
    assert not any(value in result.stdout + result.stderr for value in values)  # paths only, never values
    started = run_django(SHOW_SECRETS, without_secrets(**file_variables))
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["False", *values]


def test_dir_never_replaces_an_existing_secret(tmp_path):
    assert run_django(["generate_secrets", "--dir", str(tmp_path)], {}).returncode == 0
    before = {path.name: path.read_text() for path in tmp_path.iterdir()}
    (tmp_path / "jwt_signing_key").unlink()
    again = run_django(["generate_secrets", "--dir", str(tmp_path)], {})
    assert again.returncode != 0
    assert "refusing to replace existing secret files" in again.stderr
    assert not (tmp_path / "jwt_signing_key").exists()  # nothing written, not even the missing one
    assert {path.name: path.read_text() for path in tmp_path.iterdir()} == {
        name: text for name, text in before.items() if name != "jwt_signing_key"
    }


def test_make_run_bootstrap_uses_the_same_generator(tmp_path):
    env_file = tmp_path / ".env"
    assert bootstrap_env.main(["bootstrap_env", str(env_file)]) == 0
    values = parse_env(env_file.read_text())
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert set(SECRET_NAMES) <= set(values)
    secrets_only = {name: values[name] for name in SECRET_NAMES}
    started = run_django(SHOW_SECRETS, without_secrets(**secrets_only))
    assert started.returncode == 0, started.stderr
