"""Walks the audit chain and reports the first row that does not fit."""

from dataclasses import dataclass

from audit.chain import GENESIS_HASH, compute_hash
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


def verify_chain(*, batch_size: int = 2000, using: str = "default") -> ChainReport:
    """Check every row in id order: ids consecutive, each previous_hash equal to the row before's
    row_hash, and each row_hash equal to the HMAC of the row as stored. `using` names the database
    (a restore checks its target before anything else uses it)."""
    expected_previous = GENESIS_HASH
    expected_id = None
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
        if compute_hash(event) != event.row_hash:
            return ChainReport(checked, event.id, f"row {event.id} was altered after it was written", expected_previous)
        checked += 1
        expected_previous = event.row_hash
        expected_id = event.id + 1
    return ChainReport(checked, None, "", expected_previous)
