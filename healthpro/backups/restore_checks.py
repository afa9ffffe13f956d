"""What a restore proves before it reports success, and the keys each check exercises.

The keys are not in a backup: FIELD_ENCRYPTION_KEYS (fields and documents), BLIND_INDEX_KEYS and
AUDIT_HMAC_KEY come from the key escrow. A check that fails says which key does not match.
"""

from pathlib import Path

from django.apps import apps

from audit.verification import verify_chain
from healthpro.backups.database import live_row_counts
from records.blind_index import blind_indexes
from records.fields import FieldDecryptionError, decrypt_bytes, is_encrypted
from records.models import Document, Patient

SAMPLE_SIZE = 25
ESCROW = "The keys are not in the backup: take them from the key escrow, set them, and restore again."


class RestoreCheckError(Exception):
    """The restored data does not check out; the message names the check, never a value."""


def counts_check(manifest: dict, *, using: str) -> None:
    live = live_row_counts(using)
    for table, expected in manifest["row_counts"].items():
        if live.get(table) != expected:
            raise RestoreCheckError(
                f"Table {table} has {live.get(table, 'no')} rows after the restore; the manifest says {expected}."
            )


def chain_check(manifest: dict, *, using: str) -> None:
    report = verify_chain(using=using)
    if not report.ok:
        raise RestoreCheckError(
            f"The audit chain does not verify with the configured AUDIT_HMAC_KEY (first bad row "
            f"{report.first_bad_id}: {report.problem}). When row 1 already fails, AUDIT_HMAC_KEY is not the "
            f"key the backup was made under. {ESCROW}"
        )
    head = manifest["audit"]
    if report.rows_checked != head["rows"] or report.head_hash != head["head_hash"]:
        raise RestoreCheckError(
            f"The audit chain verifies but ends at row {report.rows_checked}, not at the manifest's head "
            f"(row {head['rows']}): the backup's audit log is not complete."
        )


def _encrypted_models():
    for model in apps.get_models():
        fields = [field.attname for field in model._meta.concrete_fields if is_encrypted(field)]
        if fields:
            yield model, fields


def fields_check(*, using: str, sample: int = SAMPLE_SIZE) -> int:
    """Decrypt every encrypted field of a random sample of rows of each model that has any."""
    checked = 0
    for model, fields in _encrypted_models():
        try:
            rows = list(model._default_manager.using(using).order_by("?").only("pk", *fields)[:sample])
        except FieldDecryptionError:
            raise RestoreCheckError(
                f"Encrypted fields of {model._meta.label} do not decrypt with the configured "
                f"FIELD_ENCRYPTION_KEYS. {ESCROW}"
            ) from None
        checked += len(rows)
    return checked


def blind_indexes_check(*, using: str, sample: int = SAMPLE_SIZE) -> int:
    patients = list(Patient.objects.using(using).order_by("?")[:sample])
    for patient in patients:
        for name in Patient.SEARCHABLE_FIELDS:
            if getattr(patient, f"{name}_index") not in blind_indexes(name, getattr(patient, name)):
                raise RestoreCheckError(
                    f"The blind indexes do not match the configured BLIND_INDEX_KEYS (patient #{patient.pk}, "
                    f"field {name}): search would find nothing. {ESCROW}"
                )
    return len(patients)


def documents_check(*, using: str, documents_dir: Path, sample: int = SAMPLE_SIZE) -> int:
    """Every document row has its file; a random sample of files decrypts to its recorded size."""
    names = Document.objects.using(using).values_list("storage_name", flat=True).iterator()
    missing = sum(1 for name in names if not (documents_dir / name).is_file())
    if missing:
        raise RestoreCheckError(f"{missing} document file(s) of the restored database are not in the backup.")
    documents = Document.objects.using(using).order_by("?").only("pk", "storage_name", "size")[:sample]
    checked = 0
    for document in documents:
        try:
            content = decrypt_bytes((documents_dir / document.storage_name).read_bytes())
        except FieldDecryptionError:
            raise RestoreCheckError(
                f"Document #{document.pk} does not decrypt with the configured FIELD_ENCRYPTION_KEYS. {ESCROW}"
            ) from None
        if len(content) != document.size:
            raise RestoreCheckError(f"Document #{document.pk} decrypts to a size other than the recorded one.")
        checked += 1
    return checked
