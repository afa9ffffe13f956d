"""Key rotation for patient data: blind indexes recomputed under the first key of
BLIND_INDEX_KEYS, and what each key still covers (`manage.py key_status`).

Batches go in primary-key order and each batch is one transaction with its rows locked, so a
run can stop anywhere and be started again (from the start, or after the last id it printed)
without losing or doubling anything: a row already under the first key is not written again.
Nothing here returns, logs or records a key or a value: keys are named by fingerprint.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from audit.services import record_security_event
from core.key_fingerprints import key_fingerprint
from records.blind_index import blind_index, blind_index_under
from records.models import Patient

INDEX_FIELDS = [f"{name}_index" for name in Patient.SEARCHABLE_FIELDS]


@dataclass(frozen=True)
class BatchResult:
    rows: int
    rewritten: int
    last_id: int | None


def _searchable(queryset):
    return queryset.only("pk", *Patient.SEARCHABLE_FIELDS, *INDEX_FIELDS)


def blind_indexes_reindex_batch(*, after_id: int = 0, size: int = 500) -> BatchResult:
    """Recompute the blind indexes of the next `size` patients after `after_id` under the first key."""
    with transaction.atomic():
        patients = list(_searchable(Patient.objects.select_for_update()).filter(pk__gt=after_id).order_by("pk")[:size])
        changed = []
        for patient in patients:
            fresh = {f"{name}_index": blind_index(name, getattr(patient, name)) for name in Patient.SEARCHABLE_FIELDS}
            if any(getattr(patient, field) != value for field, value in fresh.items()):
                for field, value in fresh.items():
                    setattr(patient, field, value)
                changed.append(patient)
        if changed:
            Patient.objects.bulk_update(changed, INDEX_FIELDS)
    return BatchResult(rows=len(patients), rewritten=len(changed), last_id=patients[-1].pk if patients else None)


def blind_indexes_reindex_record(*, rows: int, rewritten: int) -> None:
    """The audit row of a completed reindex: counts and the key's fingerprint, nothing else."""
    record_security_event(
        action="keys.blind_index_reindex",
        details={"rows": rows, "rewritten": rewritten, "key": key_fingerprint(settings.BLIND_INDEX_KEYS[0])},
    )


def _blind_index_key_of(patient: Patient, keys: list[str]) -> str | None:
    for key in keys:
        if all(
            getattr(patient, f"{name}_index") == blind_index_under(key, name, getattr(patient, name))
            for name in Patient.SEARCHABLE_FIELDS
        ):
            return key
    return None


def blind_index_key_counts(*, size: int = 500) -> dict[str | None, int]:
    """Patients per key of BLIND_INDEX_KEYS (by fingerprint) their indexes are under; None: no key."""
    keys = settings.BLIND_INDEX_KEYS
    counts: dict[str | None, int] = {key_fingerprint(key): 0 for key in keys}
    counts[None] = 0
    last_id = 0
    while True:
        patients = list(_searchable(Patient.objects.filter(pk__gt=last_id)).order_by("pk")[:size])
        if not patients:
            return counts
        for patient in patients:
            key = _blind_index_key_of(patient, keys)
            counts[None if key is None else key_fingerprint(key)] += 1
        last_id = patients[-1].pk
