"""HealthPro settings, read from the environment (django-environ).

Secure by default: DEBUG is off unless set, and with DEBUG off the app refuses to start
with a missing, placeholder or reused secret (see healthpro.env_checks).
"""

import hashlib
import hmac
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from healthpro.env_checks import check_production_secrets

BASE_DIR = Path(__file__).resolve().parent.parent

# FileAwareEnv: every variable may instead name a file holding its value, e.g.
# SECRET_KEY_FILE=/run/secrets/secret_key (Docker/Kubernetes secrets). The file wins.
env = environ.FileAwareEnv()
# A local .env (written by `make run`) fills in what the process environment does not set.
# HEALTHPRO_READ_DOTENV=0 turns this off: the test settings and the start-up tests must not
# pick up a developer's .env.
if env.bool("HEALTHPRO_READ_DOTENV", default=True) and (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)


def _secret(name: str) -> str:
    # Secret files usually end with a newline; it is not part of the key.
    return env.str(name, default="").strip()


def _secret_list(name: str) -> list[str]:
    # A comma-separated key ring: the first item is the current key, the others are only accepted.
    return [item.strip() for item in env.list(name, default=[]) if item.strip()]


SECRET_KEY = _secret("SECRET_KEY")
# Earlier SECRET_KEYs, still accepted (sessions, reset and e-mailed links, signed cookies, recovery
# codes, known devices, a derived JWT key) until they are removed (README "Rotating keys").
SECRET_KEY_FALLBACKS = _secret_list("SECRET_KEY_FALLBACKS")
FIELD_ENCRYPTION_KEYS = _secret_list("FIELD_ENCRYPTION_KEYS")
# Blind-index keys: the first computes every stored index, all of them are searched (rotation).
# BLIND_INDEX_KEY, a single key, is the one-key ring of earlier configurations; not both at once.
_blind_index_keys = _secret_list("BLIND_INDEX_KEYS")
_blind_index_key = _secret("BLIND_INDEX_KEY")
if _blind_index_keys and _blind_index_key:
    raise ImproperlyConfigured("Set BLIND_INDEX_KEYS or BLIND_INDEX_KEY, not both (put every key in BLIND_INDEX_KEYS).")
BLIND_INDEX_KEYS = _blind_index_keys or ([_blind_index_key] if _blind_index_key else [])
BLIND_INDEX_KEY = BLIND_INDEX_KEYS[0] if BLIND_INDEX_KEYS else ""
AUDIT_HMAC_KEY = _secret("AUDIT_HMAC_KEY")
# Earlier audit keys: they verify the rows signed under them until `rotate_audit_key` has sealed
# those rows under AUDIT_HMAC_KEY (README "Rotating keys"); then they may be removed.
AUDIT_HMAC_PREVIOUS_KEYS = _secret_list("AUDIT_HMAC_PREVIOUS_KEYS")


def _jwt_key_derived(secret_key: str) -> str:
    return hmac.new(secret_key.encode(), b"healthpro.jwt.signing-key", hashlib.sha256).hexdigest()


# JWT: HS256 under a key of its own. JWT_SIGNING_KEY if set, else derived from SECRET_KEY by HMAC,
# so a token signature is never a signature Django's signing (sessions, reset links) would accept.
_jwt_signing_key = _secret("JWT_SIGNING_KEY")
JWT_SIGNING_KEY = _jwt_signing_key or _jwt_key_derived(SECRET_KEY)
JWT_SIGNING_KEY_DERIVED = not _jwt_signing_key
if not DEBUG and (JWT_SIGNING_KEY == SECRET_KEY or len(JWT_SIGNING_KEY) < 32):
    raise ImproperlyConfigured(
        "JWT_SIGNING_KEY must be at least 32 characters and differ from SECRET_KEY (or leave it unset)."
    )
# Earlier signing keys: they verify tokens issued before a rotation (never sign), until removed.
# Without JWT_SIGNING_KEY, the keys derived from SECRET_KEY_FALLBACKS count as earlier keys too.
_jwt_previous_signing_keys = _secret_list("JWT_PREVIOUS_SIGNING_KEYS")
JWT_PREVIOUS_SIGNING_KEYS = _jwt_previous_signing_keys + (
    [] if _jwt_signing_key else [_jwt_key_derived(key) for key in SECRET_KEY_FALLBACKS]
)

check_production_secrets(
    debug=DEBUG,
    secrets={
        "SECRET_KEY": SECRET_KEY,
        "SECRET_KEY_FALLBACKS": SECRET_KEY_FALLBACKS,
        "FIELD_ENCRYPTION_KEYS": FIELD_ENCRYPTION_KEYS,
        # Named as set, so that a message names the variable the operator wrote.
        "BLIND_INDEX_KEYS" if _blind_index_keys else "BLIND_INDEX_KEY": BLIND_INDEX_KEYS,
        "AUDIT_HMAC_KEY": AUDIT_HMAC_KEY,
        "AUDIT_HMAC_PREVIOUS_KEYS": AUDIT_HMAC_PREVIOUS_KEYS,
        "JWT_SIGNING_KEY": _jwt_signing_key,
        "JWT_PREVIOUS_SIGNING_KEYS": _jwt_previous_signing_keys,
    },
)
# django-encrypted-model-fields reads this name; the first key encrypts, all of them decrypt.
FIELD_ENCRYPTION_KEY = FIELD_ENCRYPTION_KEYS

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# CORS: only the listed browser origins, only under /api/, no wildcard, and no cookies unless
# explicitly configured (the API authenticates with a bearer token, not the session cookie).
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_ALL_ORIGINS = False
CORS_ALLOW_CREDENTIALS = env.bool("CORS_ALLOW_CREDENTIALS", default=False)
CORS_URLS_REGEX = r"^/api/.*$"
# Number of reverse proxies in front of the app that append to X-Forwarded-For. 0 means the
# TCP peer is the client and X-Forwarded-For is ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

INSTALLED_APPS = [
    "django.contrib.admin",
    # Before django.contrib.auth, so that its createsuperuser (which refuses: create_admin) wins.
    "accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "auditlog",
    "healthpro",
    "audit",
    "records",
    "compliance",
]

# Header middleware sits above everything that can answer on its own (whitenoise, CORS
# preflight, CommonMiddleware, CSRF failures), so every response carries the headers.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RequestContextMiddleware",
    # The only CSP middleware: django-csp 4, configured by CONTENT_SECURITY_POLICY.
    "csp.middleware.CSPMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Unknown URLs under /api/ answer the JSON error shape, DEBUG or not.
    "core.middleware.ApiNotFoundMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute timeouts, revoked sessions (accounts.middleware); after messages, to say why.
    "accounts.middleware.UserSessionMiddleware",
    # After the session rules (an ended session is signed out first): a signed-in user who still
    # owes the second factor reaches only the MFA pages.
    "accounts.middleware.SecondFactorRequiredMiddleware",
    # Last, as django-axes asks, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "healthpro.urls"
WSGI_APPLICATION = "healthpro.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "healthpro.context_processors.navigation",
            ],
        },
    },
]

# Embedded default: SQLite under a gitignored folder. Production: DATABASE_URL (PostgreSQL).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'healthpro.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of failing
    # mid-transaction with "database is locked" (the audit chain reads then writes).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Embedded default: local-memory cache. Production: Redis, shared by every worker, so that
# throttles and lockout counters hold across processes and hosts.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="healthpro"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "healthpro"}}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="HealthPro <no-reply@healthpro.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The clinic's name as patients know it, in the e-mails sent to them (appointment reminders).
CLINIC_NAME = env.str("CLINIC_NAME", default="HealthPro")

# Background jobs (core.background, healthpro.celery; README "Background jobs"). With a broker
# (Redis), `celery -A healthpro worker` runs the tasks and `celery -A healthpro beat` the schedule;
# with none (CELERY_BROKER_URL empty, and no REDIS_URL), tasks run in-process after commit.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
# The queue this deployment's workers read; deployments sharing one Redis each need their own.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="healthpro")
# JSON only, never pickle: a message on the broker cannot make a worker run code.
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# Acknowledged after the run: a worker that dies mid-task leaves it to another (every task is
# idempotent). One message at a time per worker process, so a slow task holds back no other.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# An unacknowledged message goes back to the queue after this long: more than the longest task
# (the backup's own limit) and the longest retry countdown.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 270
# A request that enqueues waits at most about a second for a broker that is down.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
# The schedule, in this one place (README "Background jobs" has it as a table). Each job is also a
# management command an operator can run by hand.
CELERY_BEAT_SCHEDULE = {
    "email-outbox-sweep": {"task": "accounts.email_outbox_sweep", "schedule": crontab(minute="*/5")},
    "sessions-cleanup": {"task": "accounts.sessions_cleanup", "schedule": crontab(minute=15)},
    "refresh-tokens-flush-expired": {
        "task": "accounts.refresh_tokens_flush_expired",
        "schedule": crontab(hour=3, minute=45),
    },
    "verify-audit-log": {"task": "audit.verify_audit_log", "schedule": crontab(hour=4, minute=0)},
    "backup": {"task": "healthpro.backup_nightly", "schedule": crontab(hour=2, minute=30)},
    "appointment-reminders": {"task": "compliance.appointment_reminders_send", "schedule": crontab(minute=5)},
    "request-due-reminders": {
        "task": "compliance.request_due_reminders_send",
        "schedule": crontab(hour=7, minute=0),
    },
    "exports-purge": {"task": "compliance.exports_purge", "schedule": crontab(minute=35)},
    "incident-deadline-reminders": {
        "task": "compliance.incident_deadline_reminders_send",
        "schedule": crontab(minute="*/15"),
    },
}
# The first retry of an e-mail waits about this long, each next one twice as long (at most 10 min).
EMAIL_RETRY_BACKOFF_SECONDS = 30
# Queued e-mails older than this are published again by the sweeper (a broker that was down).
EMAIL_OUTBOX_SWEEP_AFTER_MINUTES = 10
# Ended session records (the user's session list) are deleted this long after they ended.
USER_SESSION_RETENTION_DAYS = 90

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out client is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Then the password check inside an atomic counter in the shared cache (axes #592): a slot is
    # reserved before any hash, given back on a right password.
    "accounts.backends.LoginAttemptGuardBackend",
    # Only for sessions made before the guard checked passwords, and request-less calls.
    "django.contrib.auth.backends.ModelBackend",
]
# The first hasher hashes new passwords; the others only check (and so upgrade) older hashes.
# Argon2id parameters: accounts.hashers (README "Passwords").
PASSWORD_HASHERS = [
    "accounts.hashers.HealthProArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "accounts.validators.CommonPasswordValidator"},
    {
        "NAME": "accounts.validators.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["email", "full_name"]},
    },
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.ComplexityValidator", "OPTIONS": {"passphrase_length": 20}},
    {"NAME": "accounts.validators.PasswordHistoryValidator", "OPTIONS": {"history_size": 5}},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# collectstatic writes here; servers refuse to start without its manifest (healthpro.startup_checks).
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Tests and `runserver` serve static files straight from the finders, no collectstatic needed.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)
WHITENOISE_AUTOREFRESH = DEBUG
# Whitenoise's default is `Access-Control-Allow-Origin: *` on every static file; CORS is for /api/ only.
WHITENOISE_ALLOW_ALL_ORIGINS = False

# HTTPS, cookies, headers
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health/$"]
# Only when a proxy we trust sets it (and strips any client-sent copy).
if env.bool("SECURE_PROXY_SSL_HEADER", default=TRUSTED_PROXY_COUNT > 0):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SECURE_COOKIES = not DEBUG
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
# The __Host- prefix pins a cookie to this exact host over HTTPS with Path=/ (no Domain).
SESSION_COOKIE_NAME = "__Host-sessionid" if SECURE_COOKIES else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if SECURE_COOKIES else "csrftoken"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", default=12 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# API
THROTTLE_RATES = {
    "anon": env.str("THROTTLE_ANON", default="60/min"),
    "user": env.str("THROTTLE_USER", default="600/min"),
    "auth": env.str("THROTTLE_AUTH", default="10/min"),
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # simplejwt's JWTAuthentication, also accepting tokens signed under JWT_PREVIOUS_SIGNING_KEYS.
        "accounts.api.authentication.RotatingKeyJWTAuthentication",
        # SessionAuthentication that refuses a session still owing its second factor (403).
        "accounts.api.authentication.SecondFactorSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    # core.api_parsers.JSONParser: a deeply nested body is a 400, not a RecursionError (500).
    "DEFAULT_PARSER_CLASSES": ["core.api_parsers.JSONParser"],
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.URLPathVersioning",
    "DEFAULT_VERSION": "v1",
    "ALLOWED_VERSIONS": ["v1"],
    # JSON only; a client asking for anything else (Accept: text/html) gets JSON, not a 406.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.api_negotiation.JsonFallbackContentNegotiation",
    # drf-spectacular's AutoSchema plus the documented error responses (ErrorResponse).
    "DEFAULT_SCHEMA_CLASS": "core.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api_exceptions.api_exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "HealthPro API",
    "DESCRIPTION": "Versioned REST API of HealthPro. Authenticate with a JWT access token "
    "(Authorization: Bearer ...). Every error answers with the same JSON shape.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
    # Declared up front, identical to what drf-spectacular's simplejwt extension registers for
    # every JWT-authenticated operation, so the schema names the API's scheme from day one.
    "APPEND_COMPONENTS": {
        "securitySchemes": {"jwtAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
    },
}
# The OpenAPI schema and Swagger UI are public only while developing.
API_DOCS_PUBLIC = DEBUG

# Authentication libraries
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Reset when a sign-in completes (after the code step when there is one): accounts.services.lockout.
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "core.request_context.client_ip_for_axes"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="HealthPro")

# Logging
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "core.logging.RequestContextFilter"},
    },
    "formatters": {
        "json": {"()": "core.logging.JsonFormatter"},
        "text": {"()": "core.logging.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_context"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default config gives "django" its own handlers: an unformatted, unredacted
        # console handler (DEBUG) and mail_admins (a full traceback by e-mail). Everything goes
        # through the root handler above instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # Django logs every 4xx as a warning with the request path; keep them, at warning.
        "django.request": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
    },
}

# HealthPro
STAFF_IDLE_TIMEOUT_SECONDS = env.int("STAFF_IDLE_TIMEOUT_SECONDS", default=15 * 60)
CSRF_FAILURE_VIEW = "healthpro.views.csrf_failure"

# Accounts: signup, links, sessions
# (accounts.services.registration, .passwords, .sessions; README "Accounts").
SIGNUP_ENABLED = env.bool("SIGNUP_ENABLED", default=True)
EMAIL_VERIFICATION_TIMEOUT_SECONDS = env.int("EMAIL_VERIFICATION_TIMEOUT_SECONDS", default=24 * 3600)
INVITATION_TIMEOUT_SECONDS = env.int("INVITATION_TIMEOUT_SECONDS", default=72 * 3600)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
# Signup, verification resend and reset e-mails per (address, client IP) per hour.
ACCOUNT_EMAIL_RATE_LIMIT_PER_HOUR = env.int("ACCOUNT_EMAIL_RATE_LIMIT_PER_HOUR", default=5)
PATIENT_IDLE_TIMEOUT_SECONDS = env.int("PATIENT_IDLE_TIMEOUT_SECONDS", default=60 * 60)
SESSION_ABSOLUTE_TIMEOUT_SECONDS = SESSION_COOKIE_AGE

# Accounts: lockout, MFA, JWT

AXES_LOCKOUT_CALLABLE = "accounts.views.sign_in.lockout_response"
AXES_USERNAME_CALLABLE = "accounts.services.lockout.axes_username"
# The cool-off runs from the lockout, not from the latest refused attempt (else an attacker keeps
# an account locked for ever).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Never copied into axes' stored request data.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "password",
    "code",
    "otp_token",
    "mfa_token",
    "refresh",
    "csrfmiddlewaretoken",
]
# A larger limit per client IP, whatever the account (password spraying).
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=50)
# TOTP secrets never appear in the admin: whoever reads one holds that user's second factor.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# django-otp's own back-off after a wrong TOTP code (seconds double from this factor).
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_TOTP_THROTTLE_FACTOR", default=1)

JWT_REFRESH_TOKEN_HOURS = min(env.int("JWT_REFRESH_TOKEN_HOURS", default=24), 24)
MFA_TOKEN_SECONDS = env.int("MFA_TOKEN_SECONDS", default=300)
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
    "REFRESH_TOKEN_LIFETIME": timedelta(hours=JWT_REFRESH_TOKEN_HOURS),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "AUDIENCE": env.str("JWT_AUDIENCE", default="healthpro-api"),
    "ISSUER": env.str("JWT_ISSUER", default="healthpro"),
    "LEEWAY": 0,
    "AUTH_HEADER_TYPES": ("Bearer",),
    # Tokens carry a hash of the password hash: a password change makes every token refused.
    "CHECK_REVOKE_TOKEN": True,
    "CHECK_USER_IS_ACTIVE": True,
}

# Records
# Encrypted uploads live here, outside any folder the web server or whitenoise serves.
DOCUMENTS_DIR = Path(env.str("DOCUMENTS_DIR", default=str(BASE_DIR / "var" / "documents")))
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
BREAK_GLASS_MINUTES = env.int("BREAK_GLASS_MINUTES", default=60)

# Compliance: data-subject exports (README "Data-subject exports"). Encrypted archives live here,
# outside any folder the web server or whitenoise serves, and are deleted when they expire.
EXPORTS_DIR = Path(env.str("EXPORTS_DIR", default=str(BASE_DIR / "var" / "exports")))
DATA_EXPORT_HOURS = env.int("DATA_EXPORT_HOURS", default=72)
# Compliance (README "Incidents and disclosures"): the address links in e-mails sent without a
# request start with (the deadline reminders), and the contact point the notification drafts name.
SITE_URL = env.str("SITE_URL", default=f"https://{ALLOWED_HOSTS[0]}" if ALLOWED_HOSTS else "http://127.0.0.1:8000")
INCIDENT_CONTACT = env.str("INCIDENT_CONTACT", default="the clinic's privacy officer")

# Backups (healthpro.backups; README "Backups and restore"): the age public keys (age1...) that
# every archive is encrypted to. Public keys only: the identities stay offline.
BACKUP_AGE_RECIPIENTS = [value.strip() for value in env.list("BACKUP_AGE_RECIPIENTS", default=[]) if value.strip()]
# Where the scheduled backup (Celery beat, healthpro.tasks) writes and prunes its archives.
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(BASE_DIR / "var" / "backups")))
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "EncounterKindEnum": "records.models.Encounter.Kind",
        "NoteKindEnum": "records.models.ClinicalNote.Kind",
        "DocumentKindEnum": "records.models.Document.Kind",
        "EncounterStatusEnum": "records.models.Encounter.Status",
        "NoteStatusEnum": "records.models.ClinicalNote.Status",
        "ConditionStatusEnum": "records.models.Condition.Status",
        "MedicationStatusEnum": "records.models.Medication.Status",
        "AllergyStatusEnum": "records.models.Allergy.Status",
        "AppointmentStatusEnum": "records.models.Appointment.Status",
        "PatientStatusEnum": "records.models.Patient.Status",
        # compliance
        "PrivacyRequestKindEnum": "compliance.models.DataSubjectRequest.Kind",
        "PrivacyRequestStatusEnum": "compliance.models.DataSubjectRequest.Status",
        "PrivacyRequestChannelEnum": "compliance.models.DataSubjectRequest.Channel",
        "PrivacyRequestOutcomeEnum": "compliance.models.DataSubjectRequest.Outcome",
        "PrivacyRequestActionEnum": "compliance.models.RequestEvent.Action",
    }
)
