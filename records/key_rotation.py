"""Key rotation for patient data: blind indexes recomputed under the first key of
BLIND_INDEX_KEYS, document files re-encrypted under the first key of FIELD_ENCRYPTION_KEYS, and
what each key still covers (`manage.py key_status`).

Batches go in primary-key order and each batch is one transaction with its rows locked, so a
run can stop anywhere and be started again (from the start, or after the last id it printed)
without losing or doubling anything: a row already under the first key is not written again.
Nothing here returns, logs or records a key or a value: keys are named by fingerprint.
"""

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

from audit.services import record_security_event
from core.key_fingerprints import key_fingerprint
from records.blind_index import blind_index, blind_index_under
from records.fields import FieldDecryptionError, is_encrypted, key_position, rotate_bytes
from records.models import Document, Patient
from records.storage import read_document_file, replace_document_file

INDEX_FIELDS = [f"{name}_index" for name in Patient.SEARCHABLE_FIELDS]


class DocumentFileError(Exception):
    """A document's file is missing or opens under no configured key. Carries the id only."""


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


UNREADABLE = "unreadable"


def _searchable_patients(ids: list[int]) -> tuple[list[Patient], int]:
    """The patients with these ids, and how many of them could not be decrypted."""
    try:
        return list(_searchable(Patient.objects.filter(pk__in=ids))), 0
    except FieldDecryptionError:
        readable = []
        for patient_id in ids:
            try:
                readable.extend(_searchable(Patient.objects.filter(pk=patient_id)))
            except FieldDecryptionError:
                continue
        return readable, len(ids) - len(readable)


def blind_index_key_counts(*, size: int = 500) -> dict[str | None, int]:
    """Patients per key of BLIND_INDEX_KEYS (by fingerprint) their indexes are under; None: no key;
    UNREADABLE: fields no field-encryption key opens, so their indexes cannot be checked."""
    keys = settings.BLIND_INDEX_KEYS
    counts: dict[str | None, int] = {key_fingerprint(key): 0 for key in keys}
    counts[None] = counts[UNREADABLE] = 0
    last_id = 0
    while True:
        ids = list(Patient.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return counts
        patients, unreadable = _searchable_patients(ids)
        counts[UNREADABLE] += unreadable
        for patient in patients:
            key = _blind_index_key_of(patient, keys)
            counts[None if key is None else key_fingerprint(key)] += 1
        last_id = ids[-1]


def _document_token(document: Document) -> bytes:
    try:
        return read_document_file(document.storage_name)
    except FileNotFoundError:
        raise DocumentFileError(f"document #{document.pk}: its file is missing.") from None


def document_files_reencrypt_batch(*, after_id: int = 0, size: int = 100) -> BatchResult:
    """Re-encrypt the files of the next `size` documents after `after_id` under the first key; a
    file already under it is left as it is (so a second run writes nothing twice)."""
    documents = list(Document.objects.filter(pk__gt=after_id).order_by("pk").only("pk", "storage_name")[:size])
    rewritten = 0
    for document in documents:
        token = _document_token(document)
        if key_position(token) == 0:
            continue
        try:
            replace_document_file(document.storage_name, rotate_bytes(token))
        except FieldDecryptionError:
            raise DocumentFileError(f"document #{document.pk}: its file opens under no configured key.") from None
        rewritten += 1
    return BatchResult(rows=len(documents), rewritten=rewritten, last_id=documents[-1].pk if documents else None)


def document_file_key_counts(*, size: int = 500) -> tuple[dict[int | None, int], int]:
    """Document files per position of their key in FIELD_ENCRYPTION_KEYS (None: no key opens
    them), and how many rows have no file."""
    counts: dict[int | None, int] = {}
    missing, last_id = 0, 0
    while True:
        documents = list(Document.objects.filter(pk__gt=last_id).order_by("pk").only("pk", "storage_name")[:size])
        if not documents:
            return counts, missing
        for document in documents:
            try:
                position = key_position(_document_token(document))
            except DocumentFileError:
                missing += 1
                continue
            counts[position] = counts.get(position, 0) + 1
        last_id = documents[-1].pk


def _row_key_position(values) -> int | None:
    """The position of the oldest key a row still needs (0: the first key alone opens it all);
    None when one of its values opens under no configured key."""
    positions = [key_position(value) for value in values if value is not None]
    if None in positions:
        return None
    return max(positions, default=0)


def encrypted_row_key_counts(*, size: int = 500) -> dict[str, dict[int | None, int]]:
    """Per records table with encrypted columns: rows per position of the oldest key they need."""
    quote = connection.ops.quote_name
    counts: dict[str, dict[int | None, int]] = {}
    for model in apps.get_app_config("records").get_models():
        columns = [field.column for field in model._meta.concrete_fields if is_encrypted(field)]
        if not columns:
            continue
        table, pk = model._meta.db_table, model._meta.pk.column
        selected = ", ".join(quote(column) for column in columns)
        table_counts: dict[int | None, int] = {}
        last_id = None
        while True:
            with connection.cursor() as cursor:
                where = f"WHERE {quote(pk)} > %s " if last_id is not None else ""
                cursor.execute(
                    f"SELECT {quote(pk)}, {selected} FROM {quote(table)} {where}"  # noqa: S608 (names from model meta)
                    f"ORDER BY {quote(pk)} LIMIT {int(size)}",
                    [last_id] if last_id is not None else [],
                )
                rows = cursor.fetchall()
            if not rows:
                break
            for _row_id, *values in rows:
                position = _row_key_position(values)
                table_counts[position] = table_counts.get(position, 0) + 1
            last_id = rows[-1][0]
        counts[table] = table_counts
    return counts
