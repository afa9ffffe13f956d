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
# A worker started by the worker tests (tests/worker) is part of the same run: with
# HEALTHPRO_TEST_WORKER=1 it keeps the run's secrets, cache prefix, broker and queue, passed in its
# environment; every other process gets fresh ones.
os.environ["HEALTHPRO_TEST_WORKER"] = os.environ.get("HEALTHPRO_TEST_WORKER", "0")
os.environ["SECRET_KEY"] = (
    os.environ["SECRET_KEY"] if os.environ["HEALTHPRO_TEST_WORKER"] == "1" else secrets.token_urlsafe(50)
)
os.environ["FIELD_ENCRYPTION_KEYS"] = (
    os.environ["FIELD_ENCRYPTION_KEYS"]
    if os.environ["HEALTHPRO_TEST_WORKER"] == "1"
    else Fernet.generate_key().decode()
)
os.environ["BLIND_INDEX_KEY"] = (
    os.environ["BLIND_INDEX_KEY"] if os.environ["HEALTHPRO_TEST_WORKER"] == "1" else secrets.token_urlsafe(32)
)
os.environ["AUDIT_HMAC_KEY"] = (
    os.environ["AUDIT_HMAC_KEY"] if os.environ["HEALTHPRO_TEST_WORKER"] == "1" else secrets.token_urlsafe(32)
)
os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
os.environ["SECURE_SSL_REDIRECT"] = "False"
os.environ["EMAIL_URL"] = "consolemail://"
# Background jobs run in-process after commit, even with REDIS_URL set; the worker tests start a
# real worker on a broker of their own, with this run's queue.
os.environ["CELERY_BROKER_URL"] = os.environ["CELERY_BROKER_URL"] if os.environ["HEALTHPRO_TEST_WORKER"] == "1" else ""
os.environ["CELERY_QUEUE"] = (
    os.environ["CELERY_QUEUE"]
    if os.environ["HEALTHPRO_TEST_WORKER"] == "1"
    else f"healthpro-test-{secrets.token_hex(6)}"
)
os.environ.setdefault("LOG_FORMAT", "json")
# Each run its own key prefix on a shared Redis: tests that empty the cache delete only their
# own keys (healthpro/tests/conftest.py), never those of a parallel run or of a local server.
os.environ["CACHE_KEY_PREFIX"] = (
    os.environ["CACHE_KEY_PREFIX"]
    if os.environ["HEALTHPRO_TEST_WORKER"] == "1"
    else f"healthpro-test-{secrets.token_hex(6)}"
)

from healthpro.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if os.environ["HEALTHPRO_TEST_WORKER"] == "1":
    EMAIL_BACKEND = os.environ["HEALTHPRO_TEST_EMAIL_BACKEND"]
    EMAIL_FILE_PATH = os.environ["HEALTHPRO_TEST_EMAIL_FILE_PATH"]
# Fast hashing keeps a suite with thousands of logins quick; tests of the hasher itself
# override this back to the production list.
PRODUCTION_PASSWORD_HASHERS = PASSWORD_HASHERS  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
WHITENOISE_USE_FINDERS = True
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Whitenoise warns at start-up when STATIC_ROOT does not exist (no collectstatic in tests).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# The worker tests' retry comes after a second, not half a minute.
EMAIL_RETRY_BACKOFF_SECONDS = 1
