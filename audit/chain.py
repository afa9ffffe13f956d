"""The HMAC hash chain of the audit log.

row_hash = HMAC-SHA256(AUDIT_HMAC_KEY, canonical JSON of the row's content + previous_hash).
The key lives outside the database, so someone who can write to the table cannot forge a
consistent chain. The first row's previous_hash is GENESIS_HASH.

Keys rotate. Each row names the key that signed it by fingerprint (`key_id`, part of the hashed
content when set; rows written before key ids existed have none and are hashed as they were).
A rotation row (KEY_ROTATION_ACTION, signed under the new key) links the chains: its
previous_hash is the old chain's head, and it holds the SHA-256 of every row before it
(`seal_bytes`), so those rows stay verifiable under the new key once the old one is removed.
"""

import hashlib
import hmac
import json
from datetime import datetime

from django.conf import settings

from core.key_fingerprints import key_fingerprint

GENESIS_HASH = "0" * 64

# The columns that are hashed, in a fixed order. Changing this list breaks every existing chain.
HASHED_FIELDS = (
    "id",
    "occurred_at",
    "category",
    "action",
    "outcome",
    "actor_id",
    "actor_role",
    "target_user_id",
    "patient_id",
    "record_type",
    "record_id",
    "purpose",
    "client_ip",
    "user_agent",
    "request_id",
    "details",
    "previous_hash",
)


def _canonical_value(value):
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    return value


KEY_ROTATION_ACTION = "audit.key_rotation"


def canonical_bytes(event) -> bytes:
    content = {name: _canonical_value(getattr(event, name)) for name in HASHED_FIELDS}
    if event.key_id:
        content["key_id"] = event.key_id
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(event, *, key: str | None = None) -> str:
    secret = (key or settings.AUDIT_HMAC_KEY).encode()
    return hmac.new(secret, canonical_bytes(event), hashlib.sha256).hexdigest()


def seal_bytes(event) -> bytes:
    """What a rotation row's digest covers of each earlier row: its content and its hash."""
    return canonical_bytes(event) + event.row_hash.encode()


def key_ring() -> dict[str, str]:
    """Fingerprint -> key, for AUDIT_HMAC_KEY (signs) and AUDIT_HMAC_PREVIOUS_KEYS (verify only)."""
    keys = [settings.AUDIT_HMAC_KEY, *settings.AUDIT_HMAC_PREVIOUS_KEYS]
    return {key_fingerprint(key): key for key in keys if key}


def current_key_id() -> str:
    return key_fingerprint(settings.AUDIT_HMAC_KEY)


def key_id_of(event, ring: dict[str, str]) -> str | None:
    """The id of the ring key that signed `event`: its key_id, or for a row written before key ids
    the fingerprint of the ring key its hash verifies under; None when no ring key matches."""
    if event.key_id:
        return event.key_id if event.key_id in ring else None
    return next((key_id for key_id, key in ring.items() if compute_hash(event, key=key) == event.row_hash), None)
