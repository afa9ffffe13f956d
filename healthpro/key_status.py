"""What every key does and what it still covers, for `manage.py key_status` during a rotation.

Keys are named by fingerprint (core.key_fingerprints), never shown. For the field-encryption
keys, a row or file counts under the oldest key it still needs (rows whose ciphertext the first
key alone does not open count under an older key); for the blind-index keys, a patient counts
under the key its stored indexes were computed with. A count under "no configured key" is data
that would be lost: the key that opens it is missing from the ring.
"""

from django.conf import settings
from django.db.models import Count

from audit.models import AuditEvent
from core.key_fingerprints import key_fingerprint
from records.key_rotation import (
    UNREADABLE,
    blind_index_key_counts,
    document_file_key_counts,
    encrypted_row_key_counts,
)

NO_KEY = "no configured key"


def _ring_lines(keys: list[str], *, first: str, others: str) -> list[str]:
    return [f"  {key_fingerprint(key)}  {first if position == 0 else others}" for position, key in enumerate(keys)]


def _secret_key_lines() -> list[str]:
    lines = ["SECRET_KEY (sessions, links, signed values, recovery codes, known devices)"]
    lines += _ring_lines([settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS], first="signs", others="accepted only")
    return lines


def _jwt_lines() -> list[str]:
    source = "derived from SECRET_KEY" if settings.JWT_SIGNING_KEY_DERIVED else "JWT_SIGNING_KEY"
    lines = [f"JWT signing key ({source})"]
    keys = [settings.JWT_SIGNING_KEY, *settings.JWT_PREVIOUS_SIGNING_KEYS]
    lines += _ring_lines(keys, first="signs", others="verifies only")
    return lines


def _field_key_lines() -> list[str]:
    keys = settings.FIELD_ENCRYPTION_KEYS
    rows_by_table = encrypted_row_key_counts()
    files, missing_files = document_file_key_counts()
    lines = ["FIELD_ENCRYPTION_KEYS (encrypted records columns, document files)"]
    for position, key in enumerate(keys):
        role = "encrypts" if position == 0 else "decrypts only"
        rows = sum(counts.get(position, 0) for counts in rows_by_table.values())
        lines.append(f"  {key_fingerprint(key)}  {role:<13}  {rows} rows, {files.get(position, 0)} files")
        if position:
            lines += [
                f"              {table}: {counts[position]} rows"
                for table, counts in rows_by_table.items()
                if counts.get(position)
            ]
    lost_rows = sum(counts.get(None, 0) for counts in rows_by_table.values())
    if lost_rows or files.get(None) or missing_files:
        lines.append(f"  {NO_KEY}: {lost_rows} rows, {files.get(None, 0)} files; {missing_files} files missing")
    return lines


def _blind_index_lines() -> list[str]:
    counts = blind_index_key_counts()
    lines = ["BLIND_INDEX_KEYS (patient search)"]
    for position, key in enumerate(settings.BLIND_INDEX_KEYS):
        role = "writes" if position == 0 else "searched only"
        lines.append(f"  {key_fingerprint(key)}  {role:<13}  {counts.get(key_fingerprint(key), 0)} patients")
    if counts.get(None):
        lines.append(f"  {NO_KEY}: {counts[None]} patients (not found by search)")
    if counts.get(UNREADABLE):
        lines.append(f"  not checked: {counts[UNREADABLE]} patients whose fields no FIELD_ENCRYPTION_KEYS key opens")
    return lines


def _audit_lines() -> list[str]:
    rows = dict(AuditEvent.objects.values_list("key_id").annotate(count=Count("id")).order_by())
    lines = ["AUDIT_HMAC_KEY (audit chain; rows before a rotation row stay sealed under the newer key)"]
    for position, key in enumerate([settings.AUDIT_HMAC_KEY, *settings.AUDIT_HMAC_PREVIOUS_KEYS]):
        role = "signs" if position == 0 else "verifies only"
        lines.append(f"  {key_fingerprint(key)}  {role:<13}  {rows.pop(key_fingerprint(key), 0)} rows")
    if rows.get(""):
        lines.append(f"  {rows.pop('')} rows written before key ids")
    if rows:
        earlier = ", ".join(f"{key_id} ({count} rows)" for key_id, count in rows.items())
        lines.append(f"  earlier keys, no longer configured: {earlier}; verify_audit_log checks their rotation seals")
    return lines


def key_status_report() -> list[str]:
    """The report, one line per list item; fingerprints and counts only."""
    sections = [_secret_key_lines(), _jwt_lines(), _field_key_lines(), _blind_index_lines(), _audit_lines()]
    return [line for section in sections for line in [*section, ""]][:-1]
