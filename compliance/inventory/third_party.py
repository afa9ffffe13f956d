"""The inventory of the models that Django and the libraries we use store in our database."""

from compliance.inventory.types import (
    BASIS_SECURITY,
    Category,
    Erasure,
    Subject,
    field,
    model_block,
)

C = Category
E = Erasure
SIGN_IN = "signing the account holder in securely"


def _configuration(label: str, description: str, names: list[str]) -> tuple:
    return model_block(
        label,
        patient_path=None,
        description=description,
        subject=Subject.NONE,
        lawful_basis="",
        purpose="how the system works",
        retention="configuration",
        erasure=E.NOT_PERSONAL,
        export=False,
        fields=[field(name, C.OPERATIONAL) for name in names],
    )


def _otp_device(label: str, extra: list) -> tuple:
    return model_block(
        label,
        patient_path="user__patient_record",
        description="A second-factor device of django-otp (its secret is stored in plain text by the library).",
        subject=Subject.PATIENT,
        lawful_basis=BASIS_SECURITY,
        purpose=SIGN_IN,
        retention="credential",
        erasure=E.DELETE,
        export=False,
        fields=[
            field("id", C.OPERATIONAL),
            field("user", C.OPERATIONAL),
            field("name", C.SECURITY),
            field("confirmed", C.SECURITY),
            field("throttling_failure_timestamp", C.SECURITY),
            field("throttling_failure_count", C.SECURITY),
            field("created_at", C.SECURITY),
            field("last_used_at", C.SECURITY),
            *extra,
        ],
    )


_AXES_COMMON = ["user_agent", "ip_address", "username", "http_accept", "path_info", "attempt_time"]


def _axes(label: str, description: str, extra: list[str]) -> tuple:
    return model_block(
        label,
        patient_path=None,
        description=description + " The username is whatever was typed, so it may name anyone.",
        subject=Subject.PATIENT,
        lawful_basis=BASIS_SECURITY,
        purpose="locking out password guessing and investigating it",
        retention="security_log",
        erasure=E.KEEP_BY_LAW,
        export=False,
        fields=[field("id", C.OPERATIONAL, personal=False)]
        + [field(name, C.SECURITY) for name in _AXES_COMMON + extra],
    )


BLOCKS = [
    _configuration(
        "auth.Permission", "A Django permission (granted through roles).", ["id", "name", "content_type", "codename"]
    ),
    _configuration("auth.Group", "A role.", ["id", "name", "permissions"]),
    _configuration("contenttypes.ContentType", "A model's name, for generic links.", ["id", "app_label", "model"]),
    model_block(
        "admin.LogEntry",
        patient_path=None,
        description=(
            "Django admin's record of changes made in the admin site (object_repr has no PHI: "
            "__str__ is '<Model> #<id>')."
        ),
        subject=Subject.STAFF,
        lawful_basis=BASIS_SECURITY,
        purpose="accountability for administration",
        retention="security_log",
        erasure=E.KEEP_BY_LAW,
        export=False,
        fields=[
            field("id", C.OPERATIONAL, personal=False),
            field("action_time", C.SECURITY),
            field("user", C.SECURITY),
            field("content_type", C.OPERATIONAL, personal=False),
            field("object_id", C.OPERATIONAL, subject=Subject.PATIENT, description="May be a patient's account."),
            field("object_repr", C.OPERATIONAL, subject=Subject.PATIENT),
            field("action_flag", C.SECURITY),
            field("change_message", C.SECURITY),
        ],
    ),
    model_block(
        "sessions.Session",
        patient_path=None,
        description="Django's session store: the signed-in user's id and second-factor state.",
        subject=Subject.PATIENT,
        lawful_basis=BASIS_SECURITY,
        purpose=SIGN_IN,
        retention="session",
        erasure=E.DELETE,
        export=False,
        fields=[
            field("session_key", C.SECURITY),
            field("session_data", C.SECURITY),
            field("expire_date", C.SECURITY),
        ],
    ),
    model_block(
        "token_blacklist.OutstandingToken",
        patient_path="user__patient_record",
        description="Every refresh token issued (simplejwt), for rotation and revocation.",
        subject=Subject.PATIENT,
        lawful_basis=BASIS_SECURITY,
        purpose=SIGN_IN,
        retention="credential",
        erasure=E.DELETE,
        export=False,
        fields=[
            field("id", C.OPERATIONAL),
            field("user", C.OPERATIONAL),
            field("jti", C.SECURITY),
            field("token", C.SECURITY, description="The refresh token itself."),
            field("created_at", C.SECURITY),
            field("expires_at", C.SECURITY),
        ],
    ),
    model_block(
        "token_blacklist.BlacklistedToken",
        patient_path="token__user__patient_record",
        description="A refresh token refused from now on (rotated, signed out).",
        subject=Subject.PATIENT,
        lawful_basis=BASIS_SECURITY,
        purpose=SIGN_IN,
        retention="credential",
        erasure=E.DELETE,
        export=False,
        fields=[
            field("id", C.OPERATIONAL),
            field("token", C.SECURITY),
            field("blacklisted_at", C.SECURITY),
        ],
    ),
    _otp_device(
        "otp_totp.TOTPDevice",
        [
            field("key", C.SECURITY, description="The TOTP secret."),
            field("step", C.SECURITY),
            field("t0", C.SECURITY),
            field("digits", C.SECURITY),
            field("tolerance", C.SECURITY),
            field("drift", C.SECURITY),
            field("last_t", C.SECURITY),
        ],
    ),
    _otp_device("otp_static.StaticDevice", []),
    model_block(
        "otp_static.StaticToken",
        patient_path="device__user__patient_record",
        description="A static second-factor token of django-otp (plain text in the library).",
        subject=Subject.PATIENT,
        lawful_basis=BASIS_SECURITY,
        purpose=SIGN_IN,
        retention="credential",
        erasure=E.DELETE,
        export=False,
        fields=[field("id", C.OPERATIONAL), field("device", C.OPERATIONAL), field("token", C.SECURITY)],
    ),
    _axes("axes.AccessFailureLog", "django-axes: one failed sign-in.", ["locked_out"]),
    _axes(
        "axes.AccessAttempt",
        "django-axes: the failure count of a client.",
        ["get_data", "post_data", "failures_since_start"],
    ),
    _axes("axes.AccessLog", "django-axes: one successful sign-in and its sign-out.", ["logout_time", "session_hash"]),
    model_block(
        "axes.AccessAttemptExpiration",
        patient_path=None,
        description="django-axes: when a failure count expires.",
        subject=Subject.PATIENT,
        lawful_basis=BASIS_SECURITY,
        purpose="locking out password guessing",
        retention="security_log",
        erasure=E.KEEP_BY_LAW,
        export=False,
        fields=[field("access_attempt", C.SECURITY), field("expires_at", C.SECURITY)],
    ),
    model_block(
        "auditlog.LogEntry",
        patient_path=None,
        description=(
            "django-auditlog's change history of records' models. Encrypted fields and blind indexes "
            "are excluded from it; the other columns of a clinical record (statuses, dates, severity) "
            "appear in its diffs."
        ),
        subject=Subject.PATIENT,
        lawful_basis=BASIS_SECURITY,
        purpose="accountability for every change to a record",
        retention="audit_log",
        erasure=E.KEEP_BY_LAW,
        export=False,
        fields=[
            field("id", C.OPERATIONAL, personal=False),
            field("content_type", C.OPERATIONAL, personal=False),
            field("object_pk", C.OPERATIONAL),
            field("object_id", C.OPERATIONAL),
            field("object_repr", C.OPERATIONAL),
            field("serialized_data", C.HEALTH_SPECIAL),
            field("action", C.OPERATIONAL),
            field("changes_text", C.HEALTH_SPECIAL),
            field("changes", C.HEALTH_SPECIAL),
            field("actor", C.SECURITY, subject=Subject.STAFF),
            field("cid", C.OPERATIONAL, personal=False),
            field("remote_addr", C.SECURITY, subject=Subject.STAFF),
            field("remote_port", C.SECURITY, subject=Subject.STAFF),
            field("timestamp", C.OPERATIONAL),
            field("additional_data", C.OPERATIONAL),
            field("actor_email", C.SECURITY, subject=Subject.STAFF),
        ],
    ),
]
