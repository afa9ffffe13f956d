"""Walks the audit chain and reports the first row that does not fit."""

import hashlib
from dataclasses import dataclass

from audit.chain import GENESIS_HASH, KEY_ROTATION_ACTION, compute_hash, key_id_of, key_ring, seal_bytes
from audit.models import AuditEvent


@dataclass(frozen=True)
class ChainReport:
    rows_checked: int
    first_bad_id: int | None
    problem: str
    head_hash: str

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def _rotation_problem(event, *, previous_key_id: str, sealed_through: int, digest: str) -> str | None:
    details = event.details if isinstance(event.details, dict) else {}
    if details.get("previous_key") != previous_key_id or details.get("key") != event.key_id:
        return f"row {event.id} changes the signing key without a rotation row that names both keys"
    if details.get("sealed_through_id") != sealed_through or details.get("sealed_digest") != digest:
        return f"row {event.id}: the rows before this key rotation are not the rows it sealed"
    return None


def verify_chain(*, batch_size: int = 2000, using: str = "default") -> ChainReport:
    """Check every row in id order: ids consecutive, each previous_hash equal to the row before's
    row_hash, and each row_hash equal to the HMAC of the row as stored, under the ring key that
    signed it (audit.chain.key_ring). `using` names the database (a restore checks its target
    before anything else uses it).

    Across a key rotation: the signing key changes only at a rotation row naming the old and the
    new key, whose digest must equal that of every row before it. A row whose key is no longer in
    the ring is accepted only when a later rotation row seals it (its digest covers the row)."""
    ring = key_ring()
    expected_previous = GENESIS_HASH
    expected_id = None
    previous_key_id = None
    digest = hashlib.sha256()
    unsealed: list[int] = []
    labelled = False
    checked = 0
    for event in AuditEvent.objects.using(using).order_by("id").iterator(chunk_size=batch_size):
        if expected_id is not None and event.id != expected_id:
            return ChainReport(
                checked,
                event.id,
                f"row {event.id} follows row {expected_id - 1}: rows {expected_id}..{event.id - 1} are missing",
                expected_previous,
            )
        if event.previous_hash != expected_previous:
            return ChainReport(
                checked,
                event.id,
                f"row {event.id} does not link to the row before it (a row was deleted or inserted)",
                expected_previous,
            )
        if not event.key_id and labelled:
            # Rows without a key id predate key ids: none can follow a row that has one.
            return ChainReport(checked, event.id, f"row {event.id} was altered after it was written", expected_previous)
        labelled = labelled or bool(event.key_id)
        key_id = key_id_of(event, ring)
        if event.key_id and previous_key_id and event.key_id != previous_key_id:
            problem = (
                _rotation_problem(
                    event, previous_key_id=previous_key_id, sealed_through=event.id - 1, digest=digest.hexdigest()
                )
                if event.action == KEY_ROTATION_ACTION
                else f"row {event.id} changes the signing key without a rotation row"
            )
            if problem:
                return ChainReport(checked, event.id, problem, expected_previous)
            unsealed = []
        if key_id is None:
            unsealed.append(event.id)
        elif compute_hash(event, key=ring[key_id]) != event.row_hash:
            return ChainReport(checked, event.id, f"row {event.id} was altered after it was written", expected_previous)
        checked += 1
        digest.update(seal_bytes(event))
        expected_previous = event.row_hash
        expected_id = event.id + 1
        previous_key_id = event.key_id or key_id or previous_key_id
    if unsealed:
        return ChainReport(
            checked,
            unsealed[0],
            f"row {unsealed[0]} does not verify under any configured AUDIT_HMAC key (altered, or signed under a "
            "key no longer configured and not sealed by a later rotation)",
            expected_previous,
        )
    return ChainReport(checked, None, "", expected_previous)
