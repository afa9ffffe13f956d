"""The one way to write to the audit log.

Later code calls `record_security_event` and `record_access`; both take the request's id,
client IP and user agent from the request context (core.request_context), so callers
never pass them and a client header can never stand in for the trusted client IP.

Writers are serialized so that the chain cannot fork: on PostgreSQL by a transaction-scoped
advisory lock, on SQLite by its database write lock (BEGIN IMMEDIATE, see settings). The lock is
held until the surrounding transaction commits, so the chain order is the commit order; keep
transactions that audit short.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from audit.chain import GENESIS_HASH, compute_hash
from audit.models import AuditEvent
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


def _append(*, details: dict | None, using: str = DEFAULT_DB_ALIAS, **fields) -> AuditEvent:
    context = current_context()
    with transaction.atomic(using=using):
        _lock_chain(using)
        last = AuditEvent.objects.using(using).order_by("-id").values("id", "row_hash").first()
        event = AuditEvent(
            id=(last["id"] + 1) if last else 1,
            occurred_at=timezone.now(),
            previous_hash=last["row_hash"] if last else GENESIS_HASH,
            client_ip=_as_stored_ip(context.client_ip if context else None),
            user_agent=context.user_agent if context else "",
            request_id=context.request_id if context else "",
            details=_as_stored_details(details),
            **fields,
        )
        event.row_hash = compute_hash(event)
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
