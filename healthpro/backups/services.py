"""Backup, verify and restore: the workflows the management commands call.

Each takes `progress`, a callable given one short line at a time (figures only, never a value).
"""

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyrage
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

import healthpro
from audit.services import Outcome, record_security_event
from healthpro.backups import restore_checks
from healthpro.backups.archive import (
    DOCUMENT_PREFIX,
    MANIFEST_NAME,
    ArchiveError,
    ArchiveReceiver,
    PartDigest,
    encrypt_to,
    identities_read,
    part_name_allowed,
    recipients_parse,
    tar_bytes_member,
    tar_end,
    tar_member,
)
from healthpro.backups.database import (
    DatabaseError,
    database_load,
    engine_of,
    snapshot_write,
    tables_with_data,
    undo,
    undo_point_write,
)
from healthpro.backups.manifest import (
    ENGINES,
    database_part,
    manifest_build,
    manifest_bytes,
    manifest_check_parts,
    manifest_parse,
)
from healthpro.backups.restore_checks import RestoreCheckError

logger = logging.getLogger(__name__)

PROGRESS_EVERY_BYTES = 64 * 1024 * 1024
Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup, verify or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    archive_bytes: int
    archive_sha256: str
    parts: int
    documents: int
    rows: int
    audit_rows: int


@dataclass(frozen=True)
class VerifyResult:
    manifest: dict
    parts: int
    plaintext_bytes: int
    archive_sha256: str

    @property
    def documents(self) -> int:
        return sum(name.startswith(DOCUMENT_PREFIX) for name in self.manifest["parts"])

    @property
    def rows(self) -> int:
        return sum(self.manifest["row_counts"].values())


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict
    documents: int
    rows: int
    sampled_rows: int
    sampled_documents: int
    unapplied_migrations: list[str]
    archive_sha256: str


def _quiet(line: str) -> None:
    return None


class _ByteCounter:
    def __init__(self, label: str, progress: Progress):
        self.label = label
        self.progress = progress
        self.done = 0
        self._next = PROGRESS_EVERY_BYTES

    def __call__(self, count: int) -> None:
        self.done += count
        if self.done >= self._next:
            self._next += PROGRESS_EVERY_BYTES
            self.progress(f"{self.label}: {self.done // (1024 * 1024)} MiB")


class _HashingFile:
    """The archive file as it is written: counts and hashes the ciphertext for the audit event."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data) -> int:
        self.handle.write(data)
        self.digest.update(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        self.handle.flush()


class _HashingReader:
    """The archive file as it is read: hashes the ciphertext, to compare with the SHA-256 that
    `backup` printed and recorded in its audit event."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _document_files(documents_dir: Path) -> list[str]:
    if not documents_dir.is_dir():
        return []
    return sorted(
        entry.name
        for entry in os.scandir(documents_dir)
        if entry.is_file(follow_symlinks=False) and part_name_allowed(DOCUMENT_PREFIX + entry.name)
    )


def _archive_chunks(
    *, database_path: Path, documents_dir: Path, digests: dict[str, PartDigest], build_manifest, progress: Progress
) -> Iterator[bytes]:
    counter = _ByteCounter("archived", progress)
    with open(database_path, "rb") as handle:
        yield from tar_member(database_path.name, handle, digests, counter)
    names = _document_files(documents_dir)
    for position, name in enumerate(names, start=1):
        try:
            with open(documents_dir / name, "rb") as handle:
                yield from tar_member(DOCUMENT_PREFIX + name, handle, digests, counter)
        except FileNotFoundError:
            # Deleted since the listing (document_delete), so not in the snapshot either.
            continue
        if position % 1000 == 0 or position == len(names):
            progress(f"documents: {position}/{len(names)}")
    yield from tar_bytes_member(MANIFEST_NAME, manifest_bytes(build_manifest(digests)))
    yield tar_end()


def backup_create(
    *,
    output: Path,
    recipients: list[str] | None = None,
    using: str = DEFAULT_DB_ALIAS,
    documents_dir: Path | None = None,
    progress: Progress = _quiet,
) -> BackupResult:
    """Write one age-encrypted archive of the database, the documents and the manifest.

    The archive appears at `output` only when complete (it is written beside it as `.partial`
    and renamed); an existing file is never replaced.
    """
    output = Path(output)
    documents_dir = Path(documents_dir or settings.DOCUMENTS_DIR)
    try:
        age_recipients = recipients_parse(settings.BACKUP_AGE_RECIPIENTS if recipients is None else recipients)
        engine = engine_of(using)
    except (ArchiveError, DatabaseError) as error:
        raise BackupError(str(error)) from None
    if output.exists():
        raise BackupError(f"{output} exists already: a backup never replaces a file. Choose a new name.")
    partial = output.with_name(output.name + ".partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupError(f"{partial} exists: another backup is writing it, or a failed one left it.") from None
    except OSError as error:
        raise BackupError(f"Cannot create {partial}: {error.strerror}.") from None
    try:
        with os.fdopen(descriptor, "wb") as handle, tempfile.TemporaryDirectory(prefix="healthpro-backup-") as work:
            database_path = Path(work) / ENGINES[engine]
            figures = snapshot_write(database_path, using=using, progress=progress)
            created_at = timezone.now()
            progress(f"database: snapshot of {sum(figures.row_counts.values())} rows")

            def build_manifest(digests):
                return manifest_build(
                    created_at=created_at,
                    app_version=healthpro.__version__,
                    engine=engine,
                    migrations=figures.migrations,
                    row_counts=figures.row_counts,
                    audit_rows=figures.audit_rows,
                    audit_head=figures.audit_head,
                    digests=digests,
                )

            digests: dict[str, PartDigest] = {}
            chunks = _archive_chunks(
                database_path=database_path,
                documents_dir=documents_dir,
                digests=digests,
                build_manifest=build_manifest,
                progress=progress,
            )
            written = _HashingFile(handle)
            encrypt_to(chunks, written, age_recipients)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, output)
    except (ArchiveError, DatabaseError, OSError) as error:
        partial.unlink(missing_ok=True)
        record_security_event(
            action="backup.create", outcome=Outcome.FAILURE, details={"reason": type(error).__name__}, using=using
        )
        raise BackupError(f"Backup failed, nothing written: {error}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    result = BackupResult(
        path=output,
        archive_bytes=written.size,
        archive_sha256=written.digest.hexdigest(),
        parts=len(digests) + 1,
        documents=sum(name.startswith(DOCUMENT_PREFIX) for name in digests),
        rows=sum(figures.row_counts.values()),
        audit_rows=figures.audit_rows,
    )
    record_security_event(
        action="backup.create",
        details={
            "archive_sha256": result.archive_sha256,
            "archive_bytes": result.archive_bytes,
            "rows": result.rows,
            "audit_rows": result.audit_rows,
            "audit_head": figures.audit_head,
        },
        using=using,
    )
    return result


def _decrypt(archive: Path, identity: Path, receiver: ArchiveReceiver) -> tuple[dict, str]:
    """Decrypt the whole archive into `receiver`, then check the manifest and every part.
    Returns the manifest and the archive's SHA-256."""
    identities = identities_read(identity)
    if not archive.is_file():
        raise ArchiveError(f"{archive} is not a file.")
    with open(archive, "rb") as handle:
        reader = _HashingReader(handle)
        try:
            pyrage.decrypt_io(reader, receiver, identities)
        except (pyrage.DecryptError, OSError) as error:
            # decrypt_io reports a failed chunk (altered or truncated) as OSError, a bad header as
            # DecryptError, and an exception of the receiver as whatever it was.
            if receiver.error is not None:
                raise receiver.error from None
            if "no matching keys" in str(error).lower():
                raise ArchiveError(
                    f"The identity in {identity} cannot open {archive}: it was encrypted to other recipients."
                ) from None
            raise ArchiveError(
                f"{archive} does not decrypt: it was altered or truncated, or it is not an age file ({error})."
            ) from None
        finally:
            receiver.close()
    if not receiver.ended:
        raise ArchiveError(f"{archive} ends before its last part: it is not a complete HealthPro backup.")
    manifest = manifest_parse(receiver.manifest_bytes)
    manifest_check_parts(manifest, receiver.digests)
    return manifest, reader.digest.hexdigest()


def backup_verify(*, archive: Path, identity: Path, progress: Progress = _quiet) -> VerifyResult:
    """Decrypt the archive in memory-flat streaming, without writing anything, and check it."""
    counter = _ByteCounter("verified", progress)
    receiver = ArchiveReceiver(on_bytes=counter)
    try:
        manifest, archive_sha256 = _decrypt(Path(archive), Path(identity), receiver)
    except (ArchiveError, OSError) as error:
        raise BackupError(str(error)) from None
    return VerifyResult(
        manifest=manifest, parts=len(receiver.digests) + 1, plaintext_bytes=counter.done, archive_sha256=archive_sha256
    )


def _unknown_migrations(manifest: dict) -> tuple[list[str], list[str]]:
    """(in the backup but unknown to this code, known to this code but not in the backup)."""
    known = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    in_backup = set(manifest["migrations"])
    return sorted(in_backup - known), sorted(known - in_backup)


def _target_refusal(using: str, documents_dir: Path) -> str | None:
    tables = tables_with_data(using)
    if tables:
        return (
            f"The target database is not empty: {len(tables)} table(s) hold rows (first: {tables[0]}). "
            "A restore goes into an empty database only (new, or freshly migrated): nothing was changed."
        )
    if documents_dir.exists() and any(documents_dir.iterdir()):
        return (
            f"The documents folder {documents_dir} is not empty: a restore fills an empty one only. "
            "Nothing was changed."
        )
    return None


def _documents_place(staging: Path, documents_dir: Path, placed: list[Path]) -> int:
    source = staging / DOCUMENT_PREFIX.rstrip("/")
    if not source.is_dir():
        return 0
    documents_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for path in sorted(source.iterdir()):
        target = documents_dir / path.name
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        placed.append(target)
        with os.fdopen(descriptor, "wb") as handle, open(path, "rb") as content:
            shutil.copyfileobj(content, handle, 1024 * 1024)
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()
    return len(placed)


def backup_restore(
    *,
    archive: Path,
    identity: Path,
    using: str = DEFAULT_DB_ALIAS,
    documents_dir: Path | None = None,
    work_dir: Path | None = None,
    progress: Progress = _quiet,
) -> RestoreResult:
    """Restore an archive into an empty database and an empty documents folder, then check it.

    Nothing touches the target until the whole archive has decrypted into a private staging
    folder and every part matched the manifest; if a check after the load fails (most often keys
    that are not the backup's), the target is put back as it was, empty.
    """
    documents_dir = Path(documents_dir or settings.DOCUMENTS_DIR)
    try:
        engine = engine_of(using)
        refusal = _target_refusal(using, documents_dir)
    except DatabaseError as error:
        raise BackupError(str(error)) from None
    if refusal:
        raise BackupError(refusal)
    with tempfile.TemporaryDirectory(prefix="healthpro-restore-", dir=work_dir) as work:
        staging = Path(work) / "parts"
        staging.mkdir(mode=0o700)
        receiver = ArchiveReceiver(staging=staging, on_bytes=_ByteCounter("decrypted", progress))
        try:
            manifest, archive_sha256 = _decrypt(Path(archive), Path(identity), receiver)
        except (ArchiveError, OSError) as error:
            raise BackupError(f"{error} Nothing was changed.") from None
        progress(f"archive: {len(receiver.digests) + 1} parts decrypted and matching the manifest")
        if manifest["database_engine"] != engine:
            raise BackupError(
                f"The archive holds a {manifest['database_engine']} database; the target is {engine}. "
                "Nothing was changed."
            )
        newer, unapplied = _unknown_migrations(manifest)
        if newer:
            raise BackupError(
                f"The archive was made by a newer HealthPro ({len(newer)} migration(s) this code does not have, "
                f"first: {newer[0]}): install that version first. Nothing was changed."
            )
        point = undo_point_write(Path(work), using=using)
        placed: list[Path] = []
        try:
            database_load(staging / database_part(manifest), using=using, progress=progress)
            progress("database: loaded; placing documents")
            documents = _documents_place(staging, documents_dir, placed)
            progress("checks: row counts, audit chain, encrypted fields, blind indexes, documents")
            restore_checks.counts_check(manifest, using=using)
            restore_checks.chain_check(manifest, using=using)
            sampled_rows = restore_checks.fields_check(using=using)
            restore_checks.blind_indexes_check(using=using)
            sampled_documents = restore_checks.documents_check(using=using, documents_dir=documents_dir)
        except (RestoreCheckError, DatabaseError, OSError) as error:
            _restore_undo(point, placed, using)
            raise BackupError(f"Restore failed and was undone (the target is empty again): {error}") from None
        except BaseException:
            _restore_undo(point, placed, using)
            raise
    record_security_event(
        action="backup.restore",
        details={
            "backup_created_at": manifest["created_at"],
            "rows": sum(manifest["row_counts"].values()),
            "audit_head": manifest["audit"]["head_hash"],
            "documents": documents,
            "archive_sha256": archive_sha256,
        },
        using=using,
    )
    return RestoreResult(
        manifest=manifest,
        documents=documents,
        rows=sum(manifest["row_counts"].values()),
        sampled_rows=sampled_rows,
        sampled_documents=sampled_documents,
        unapplied_migrations=unapplied,
        archive_sha256=archive_sha256,
    )


def _restore_undo(point, placed: list[Path], using: str) -> None:
    for path in placed:
        path.unlink(missing_ok=True)
    try:
        undo(point, using=using)
    except DatabaseError:
        logger.exception("backup.restore: the undo of a failed restore failed; the target database needs emptying")
