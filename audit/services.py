"""The one way to write to the audit log.

Later code calls `record_security_event` and `record_access`; both take the request's id,
client IP and user agent from the request context (core.request_context), so callers
never pass them and a client header can never stand in for the trusted client IP.

Writers are serialized so that the chain cannot fork: on PostgreSQL by a transaction-scoped
advisory lock, on SQLite by its database write lock (BEGIN IMMEDIATE, see settings). The lock is
held until the surrounding transaction commits, so the chain order is the commit order; keep
transactions that audit short.

Key rotation (audit.chain): rows go on being signed under the key of the row before them while
that key is in the ring, so a chain never changes key without a rotation row; `audit_key_rotate`
writes that row, under AUDIT_HMAC_KEY, and every row after it is signed under AUDIT_HMAC_KEY.
"""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from audit.chain import (
    GENESIS_HASH,
    KEY_ROTATION_ACTION,
    compute_hash,
    current_key_id,
    key_id_of,
    key_ring,
    seal_bytes,
)
from audit.models import AuditEvent
from audit.verification import verify_chain
from core.request_context import current_context

# An arbitrary constant naming HealthPro's audit chain lock among PostgreSQL advisory locks.
AUDIT_CHAIN_LOCK_ID = 7_411_020_311

Category = AuditEvent.Category
Outcome = AuditEvent.Outcome
Purpose = AuditEvent.Purpose


def _lock_chain(using: str) -> None:
    if connections[using].vendor == "postgresql":
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_ID])


# The actor of what an operator's command does with no account signed in (the first administrator).
SYSTEM_ACTOR = "system"


def _actor_fields(actor) -> dict:
    if actor == SYSTEM_ACTOR:
        return {"actor_id": None, "actor_role": SYSTEM_ACTOR}
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_role": ""}
    role = getattr(actor, "role", None)
    return {"actor_id": actor.pk, "actor_role": role.value if role else ""}


def _as_stored_ip(value: str | None) -> str | None:
    """The address exactly as GenericIPAddressField will store it, so the hash covers what is stored."""
    if value and ":" in value:
        return clean_ipv6_address(value)
    return value or None


def _as_stored_details(details: dict | None) -> dict:
    """The details exactly as they will read back from the JSON column (keys become strings)."""
    return json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder))


def _signing_key_id(last: AuditEvent | None, ring: dict[str, str]) -> str:
    """The key the next row is signed under: that of the row before it while it is in the ring
    (until a rotation row), else AUDIT_HMAC_KEY (the first row; or a key removed without a
    rotation, which verification reports)."""
    key_id = key_id_of(last, ring) if last is not None else None
    return key_id or current_key_id()


def _new_event(*, last: AuditEvent | None, key_id: str, key: str, details: dict | None, **fields) -> AuditEvent:
    context = current_context()
    event = AuditEvent(
        id=(last.id + 1) if last else 1,
        occurred_at=timezone.now(),
        previous_hash=last.row_hash if last else GENESIS_HASH,
        client_ip=_as_stored_ip(context.client_ip if context else None),
        user_agent=context.user_agent if context else "",
        request_id=context.request_id if context else "",
        details=_as_stored_details(details),
        key_id=key_id,
        **fields,
    )
    event.row_hash = compute_hash(event, key=key)
    return event


def _append(*, details: dict | None, using: str = DEFAULT_DB_ALIAS, **fields) -> AuditEvent:
    with transaction.atomic(using=using):
        _lock_chain(using)
        last = AuditEvent.objects.using(using).order_by("-id").first()
        ring = key_ring()
        key_id = _signing_key_id(last, ring)
        event = _new_event(last=last, key_id=key_id, key=ring[key_id], details=details, **fields)
        event.save(force_insert=True, using=using)
    return event


class AuditKeyRotationError(Exception):
    """The chain does not verify: sealing it under a new key would vouch for what broke it."""


def audit_key_rotate(*, using: str = DEFAULT_DB_ALIAS, batch_size: int = 2000) -> AuditEvent | None:
    """Link the chain to AUDIT_HMAC_KEY with a rotation row; None when it is already under it.

    The chain is verified first. The rotation row holds the SHA-256 of every row before it, read
    in batches outside the chain lock and, for the rows written meanwhile, under it; it is signed
    under the new key, and every row after it too."""
    report = verify_chain(using=using, batch_size=batch_size)
    if not report.ok:
        raise AuditKeyRotationError(f"row {report.first_bad_id}: {report.problem}")
    digest, through = hashlib.sha256(), 0
    for event in AuditEvent.objects.using(using).order_by("id").iterator(chunk_size=batch_size):
        digest.update(seal_bytes(event))
        through = event.id
    with transaction.atomic(using=using):
        _lock_chain(using)
        for event in AuditEvent.objects.using(using).filter(id__gt=through).order_by("id"):
            digest.update(seal_bytes(event))
            through = event.id
        last = AuditEvent.objects.using(using).filter(id=through).first()
        ring = key_ring()
        previous_key_id = _signing_key_id(last, ring)
        key_id = current_key_id()
        if last is None or previous_key_id == key_id:
            return None
        event = _new_event(
            last=last,
            key_id=key_id,
            key=ring[key_id],
            details={
                "previous_key": previous_key_id,
                "key": key_id,
                "sealed_through_id": through,
                "sealed_digest": digest.hexdigest(),
            },
            category=Category.SECURITY,
            action=KEY_ROTATION_ACTION,
            actor_role=SYSTEM_ACTOR,
        )
        event.save(force_insert=True, using=using)
    return event


def record_security_event(
    *,
    action: str,
    outcome: str = Outcome.SUCCESS,
    actor=None,
    target_user=None,
    details: dict | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> AuditEvent:
    """Record a security event: `action` is a dotted name such as "auth.login".

    `details` must hold no password, token, code or PHI: identifiers and reasons only. `using`
    names another database's chain (a restore records itself in the database it restored).
    """
    return _append(
        using=using,
        category=Category.SECURITY,
        action=action,
        outcome=outcome,
        target_user_id=target_user.pk if target_user is not None else None,
        details=details,
        **_actor_fields(actor),
    )


def record_access(
    *,
    actor,
    patient_id: int | None,
    record_type: str,
    action: str,
    purpose: str,
    record_id: str | int | None = None,
    outcome: str = Outcome.SUCCESS,
    details: dict | None = None,
) -> AuditEvent:
    """Record a read or write of patient data. Call it inside the transaction that does the work.

    For a list or a search, pass patient_id=None and the returned patients' ids in
    details={"patient_ids": [...]}.
    """
    return _append(
        category=Category.ACCESS,
        action=action,
        outcome=outcome,
        patient_id=patient_id,
        record_type=record_type,
        record_id="" if record_id is None else str(record_id),
        purpose=purpose,
        details=details,
        **_actor_fields(actor),
    )
