"""Start-up checks of the secrets the app is given.

With DEBUG off, a missing, placeholder, weak or reused secret stops start-up with a message that
names the variable (never its value), so that a misconfigured deployment fails loudly instead of
running with a guessable key.
"""

import re

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

# Words that mark a value copied from an example instead of generated. Only markers of six or
# more characters: a generated key (64 symbols a character) contains one by chance with a
# probability below 1e-7, whereas a short marker such as "xxx" turns up in about one key in 500.
PLACEHOLDER_MARKERS = (
    "change-me",
    "changeme",
    "change_me",
    "placeholder",
    "replace-me",
    "replaceme",
    "example",
    "insecure",
    "secret-key",
    "your-key",
    "dummy-",
)
# Django's own bar for SECRET_KEY (check --deploy security.W009); HMAC keys: 256 bits as text.
MIN_LENGTH = {"SECRET_KEY": 50, "SECRET_KEY_FALLBACKS": 50}
DEFAULT_MIN_LENGTH = 32
# Key rings of earlier keys, kept only during a rotation: empty is fine, but an item is checked
# like any secret (and may not repeat the current key or any other secret).
OPTIONAL = {"SECRET_KEY_FALLBACKS", "JWT_SIGNING_KEY", "JWT_PREVIOUS_SIGNING_KEYS", "AUDIT_HMAC_PREVIOUS_KEYS"}
# A value of few distinct characters ("xxxxxxxx…", "00000000…", "abababab…") is not random.
MIN_DISTINCT_CHARACTERS = 8
# What Fernet.generate_key() produces: 32 bytes, url-safe base64, with its padding.
FERNET_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{43}=$")


def is_placeholder(value: str) -> bool:
    lowered = value.lower()
    return any(marker in lowered for marker in PLACEHOLDER_MARKERS) or len(set(value)) < MIN_DISTINCT_CHARACTERS


def is_fernet_key(value: str) -> bool:
    if not FERNET_KEY_RE.match(value):
        return False
    try:
        Fernet(value)
    except ValueError:
        return False
    return True


def check_production_secrets(*, debug: bool, secrets: dict) -> None:
    """Raise ImproperlyConfigured naming the first bad secret. Lists (key rings) count per item.

    The Fernet format check applies always (a malformed key would otherwise fail later, at the
    first encryption, less clearly); the missing/placeholder/length/reuse checks apply only with
    DEBUG off, so a developer may run with the short or placeholder values of a local .env.
    """
    for name, value in secrets.items():
        values = value if isinstance(value, list) else [value]
        if name == "FIELD_ENCRYPTION_KEYS":
            for position, item in enumerate(values, start=1):
                if item and not is_placeholder(item) and not is_fernet_key(item):
                    raise ImproperlyConfigured(
                        "FIELD_ENCRYPTION_KEYS must be a comma-separated list of Fernet keys "
                        f"(32 url-safe base64-encoded bytes each); key number {position} is not. Generate one "
                        'with: python -c "from cryptography.fernet import Fernet; '
                        'print(Fernet.generate_key().decode())"'
                    )
    if debug:
        return
    seen: dict[str, str] = {}
    for name, value in secrets.items():
        values = value if isinstance(value, list) else [value]
        values = [v for v in values if v]
        if not values and name not in OPTIONAL:
            raise ImproperlyConfigured(f"{name} is not set; it is required when DEBUG is off.")
        for item in values:
            if is_placeholder(item):
                raise ImproperlyConfigured(f"{name} holds a placeholder value; generate a real secret.")
            min_length = MIN_LENGTH.get(name, DEFAULT_MIN_LENGTH)
            if name != "FIELD_ENCRYPTION_KEYS" and len(item) < min_length:
                raise ImproperlyConfigured(f"{name} is too short; use at least {min_length} random characters.")
            if item in seen:
                where = "twice" if seen[item] == name else f"the value of {seen[item]}"
                raise ImproperlyConfigured(f"{name} reuses {where}; every secret must be different.")
            seen[item] = name
