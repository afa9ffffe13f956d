"""The HMAC hash chain of the audit log.

row_hash = HMAC-SHA256(AUDIT_HMAC_KEY, canonical JSON of the row's content + previous_hash).
The key lives outside the database, so someone who can write to the table cannot forge a
consistent chain. The first row's previous_hash is GENESIS_HASH.
"""

import hashlib
import hmac
import json
from datetime import datetime

from django.conf import settings

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


def canonical_bytes(event) -> bytes:
    content = {name: _canonical_value(getattr(event, name)) for name in HASHED_FIELDS}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(event, *, key: str | None = None) -> str:
    secret = (key or settings.AUDIT_HMAC_KEY).encode()
    return hmac.new(secret, canonical_bytes(event), hashlib.sha256).hexdigest()
