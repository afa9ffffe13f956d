"""Restore an encrypted backup archive into an empty database and documents folder."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from healthpro.backups.progress import ProgressPrinter
from healthpro.backups.services import BackupError, backup_restore

KEYS_NOTICE = (
    "The backup holds no key: FIELD_ENCRYPTION_KEYS, BLIND_INDEX_KEY and AUDIT_HMAC_KEY must be the "
    "ones the backup was made under, taken from the key escrow. The restore checks them and undoes "
    "itself when they do not match."
)


class Command(BaseCommand):
    help = (
        "Restore an archive made by `backup` into an empty database (new, or migrated with no rows) "
        "and an empty documents folder, then check row counts, the audit chain up to the manifest's "
        "head hash, and a sample of encrypted fields, blind indexes and documents. " + KEYS_NOTICE
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--identity", type=Path, required=True, help="An age identity file (AGE-SECRET-KEY-1...).")
        parser.add_argument("--database", default="default", help="The database alias to restore into.")
        parser.add_argument(
            "--work-dir", type=Path, help="Where to stage the decrypted parts (a private temporary folder inside)."
        )

    def handle(self, *args, archive, identity, database="default", work_dir=None, **options):
        self.stderr.write(KEYS_NOTICE)
        progress = ProgressPrinter(self.stderr)
        try:
            result = backup_restore(
                archive=archive, identity=identity, using=database, work_dir=work_dir, progress=progress
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        finally:
            progress.finish()
        manifest = result.manifest
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']} (archive SHA-256 {result.archive_sha256}): "
            f"{result.rows} rows, {result.documents} documents; "
            f"row counts match, the audit chain verifies up to {manifest['audit']['head_hash']}, and "
            f"{result.sampled_rows} sampled rows and {result.sampled_documents} documents decrypt with the "
            "configured keys."
        )
        if result.unapplied_migrations:
            self.stdout.write(
                f"This code has {len(result.unapplied_migrations)} migration(s) newer than the backup: run `migrate`."
            )
