"""Fresh values for every secret the app reads, as .env lines or as secret files.

One source for `manage.py generate_secrets` (production) and `make run`'s local .env
(healthpro.bootstrap_env), so both produce values that healthpro.env_checks accepts with DEBUG off.
Imports nothing from Django: it runs before any secret, and so any settings, exist.
"""

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

# Name -> generator. Lengths are those healthpro.env_checks requires (SECRET_KEY: 50 characters,
# the HMAC keys: 32) with room to spare; token_urlsafe(n) gives about 1.3 n characters.
GENERATORS = {
    "SECRET_KEY": lambda: secrets.token_urlsafe(50),
    "FIELD_ENCRYPTION_KEYS": lambda: Fernet.generate_key().decode(),
    "BLIND_INDEX_KEY": lambda: secrets.token_urlsafe(32),
    "AUDIT_HMAC_KEY": lambda: secrets.token_urlsafe(32),
    # Optional for the app (derived from SECRET_KEY when unset); its own key rotates API tokens alone.
    "JWT_SIGNING_KEY": lambda: secrets.token_urlsafe(32),
}
SECRET_FILE_MODE = 0o600


def secrets_generate() -> dict[str, str]:
    """One fresh value per secret, all different (a collision of 256-bit values is not a concern)."""
    return {name: generate() for name, generate in GENERATORS.items()}


def secret_file_name(name: str) -> str:
    return name.lower()


def env_lines(values: dict[str, str]) -> str:
    return "".join(f"{name}={value}\n" for name, value in values.items())


def secret_files_write(values: dict[str, str], directory: Path) -> dict[str, Path]:
    """Write one file per secret, mode 0600, and return `<NAME>_FILE` -> path.

    Refuses (FileExistsError, nothing written) when any of the files exists: replacing
    FIELD_ENCRYPTION_KEYS or AUDIT_HMAC_KEY loses the data or the audit chain they protect, so
    rotation is a deliberate edit, never a side effect of running this twice.
    """
    directory = Path(directory).resolve()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    paths = {name: directory / secret_file_name(name) for name in values}
    existing = [str(path) for path in paths.values() if path.exists()]
    if existing:
        raise FileExistsError(f"refusing to replace existing secret files: {', '.join(existing)}")
    for name, path in paths.items():
        # O_EXCL: created here, never through a link planted beforehand; the mode is set at creation,
        # so the value is never readable by others, whatever the umask.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, SECRET_FILE_MODE)
        with os.fdopen(descriptor, "w") as secret_file:
            os.fchmod(secret_file.fileno(), SECRET_FILE_MODE)
            secret_file.write(values[name] + "\n")
    return {f"{name}_FILE": path for name, path in paths.items()}
