"""Run Django start-up in a fresh interpreter with exactly the environment a test gives it.

Nothing is inherited from the test process or from a developer's .env (HEALTHPRO_READ_DOTENV=0),
so what a test proves does not depend on the machine it runs on.
"""

import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def production_env(**overrides) -> dict[str, str]:
    """A complete, valid production environment with freshly generated secrets."""
    env = {
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "healthpro.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://healthpro.example.org",
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def process_env(env: dict[str, str]) -> dict[str, str]:
    """The whole environment of a child process: `env` and the bare minimum, under healthpro.settings."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", tempfile.gettempdir()),
        "LANG": "C.UTF-8",
        "HEALTHPRO_READ_DOTENV": "0",
        "DJANGO_SETTINGS_MODULE": "healthpro.settings",
        **env,
    }


def run_django(code_or_args, env: dict[str, str], *, timeout: int = 60) -> subprocess.CompletedProcess:
    """`python -c code` (a str) or `python manage.py args...` (a list) under healthpro.settings."""
    full_env = process_env(env)
    if isinstance(code_or_args, str):
        command = [sys.executable, "-c", code_or_args]
    else:
        command = [sys.executable, "manage.py", *code_or_args]
    return subprocess.run(
        command, cwd=BASE_DIR, env=full_env, capture_output=True, text=True, timeout=timeout, check=False
    )


SETUP = "import django; django.setup()"
