"""Settings for the test suite: production settings, with fresh secrets for this run.

Everything security-relevant stays as in production (DEBUG off, secure cookies, CSP, HSTS);
only the HTTPS redirect is off, because the test client and the browser tests speak plain HTTP
to a local server. DATABASE_URL and REDIS_URL pass through, so CI runs the same suite on
PostgreSQL and Redis.
"""

import os
import secrets

from cryptography.fernet import Fernet

# A developer's .env (DEBUG=True, other hosts, proxies, throttle rates) must not change what the
# suite proves; DATABASE_URL and REDIS_URL come from the process environment only.
os.environ["HEALTHPRO_READ_DOTENV"] = "0"
# A *_FILE variable (healthpro.settings reads secrets from files too) would win over the values below.
os.environ.pop("DEBUG_FILE", None)
os.environ.pop("SECRET_KEY_FILE", None)
os.environ.pop("FIELD_ENCRYPTION_KEYS_FILE", None)
os.environ.pop("BLIND_INDEX_KEY_FILE", None)
os.environ.pop("AUDIT_HMAC_KEY_FILE", None)
# No rotation under way: the tests that rotate set their key rings themselves.
os.environ.pop("SECRET_KEY_FALLBACKS", None)
os.environ.pop("SECRET_KEY_FALLBACKS_FILE", None)
os.environ.pop("BLIND_INDEX_KEYS", None)
os.environ.pop("BLIND_INDEX_KEYS_FILE", None)
os.environ.pop("JWT_SIGNING_KEY", None)
os.environ.pop("JWT_SIGNING_KEY_FILE", None)
os.environ.pop("JWT_PREVIOUS_SIGNING_KEYS", None)
os.environ.pop("JWT_PREVIOUS_SIGNING_KEYS_FILE", None)
os.environ.pop("AUDIT_HMAC_PREVIOUS_KEYS", None)
os.environ.pop("AUDIT_HMAC_PREVIOUS_KEYS_FILE", None)
os.environ["DEBUG"] = "False"
os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
os.environ["FIELD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
os.environ["BLIND_INDEX_KEY"] = secrets.token_urlsafe(32)
os.environ["AUDIT_HMAC_KEY"] = secrets.token_urlsafe(32)
os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
os.environ["SECURE_SSL_REDIRECT"] = "False"
os.environ["EMAIL_URL"] = "consolemail://"
os.environ.setdefault("LOG_FORMAT", "json")
# Each run its own key prefix on a shared Redis: tests that empty the cache delete only their
# own keys (healthpro/tests/conftest.py), never those of a parallel run or of a local server.
os.environ["CACHE_KEY_PREFIX"] = f"healthpro-test-{secrets.token_hex(6)}"

from healthpro.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Fast hashing keeps a suite with thousands of logins quick; tests of the hasher itself
# override this back to the production list.
PRODUCTION_PASSWORD_HASHERS = PASSWORD_HASHERS  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
WHITENOISE_USE_FINDERS = True
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Whitenoise warns at start-up when STATIC_ROOT does not exist (no collectstatic in tests).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
