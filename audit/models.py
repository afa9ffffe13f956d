from django.db import models


class AuditEvent(models.Model):
    """One append-only row of the tamper-evident audit log.

    Security events (logins, lockouts, MFA, password and role changes, denied access,
    break-the-glass) and access events (every read or write of patient data). Each row carries an
    HMAC over its own canonical content and the previous row's hash (audit.chain), so an edited,
    deleted or inserted row breaks the chain; on PostgreSQL a trigger refuses UPDATE and DELETE.

    No foreign keys: a row must survive, unchanged, the deletion of the user or patient it names.
    Never passwords, tokens, OTP codes or PHI, in any column.
    """

    class Category(models.TextChoices):
        SECURITY = "security", "Security"
        ACCESS = "access", "Access"

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        FAILURE = "failure", "Failure"
        DENIED = "denied", "Denied"

    class Purpose(models.TextChoices):
        CARE_TEAM = "care_team", "Care team"
        SELF = "self", "Self"
        BREAK_THE_GLASS = "break_the_glass", "Break-the-glass"
        ADMINISTRATION = "administration", "Administration"

    occurred_at = models.DateTimeField(db_index=True)
    category = models.CharField(max_length=16, choices=Category.choices)
    action = models.CharField(max_length=64, db_index=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_role = models.CharField(max_length=32, blank=True)
    # The account an event is about when it is not the actor (a failed login's target, a role change).
    target_user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    record_type = models.CharField(max_length=48, blank=True)
    record_id = models.CharField(max_length=64, blank=True)
    purpose = models.CharField(max_length=32, choices=Purpose.choices, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=256, blank=True)
    request_id = models.CharField(max_length=32, blank=True, db_index=True)
    details = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    # Fingerprint of the AUDIT_HMAC_KEY that signed the row (audit.chain); "" on rows written
    # before key ids existed.
    key_id = models.CharField(max_length=8, blank=True, default="")
    row_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["patient_id", "occurred_at"], name="audit_patient_time")]

    def __str__(self):
        return f"Audit event #{self.pk} {self.action} ({self.outcome})"
