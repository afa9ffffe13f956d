"""Write an encrypted backup archive (database, documents, manifest) to --output."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from healthpro.backups.progress import ProgressPrinter
from healthpro.backups.services import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup, or pg_dump -Fc), the documents folder and a "
        "manifest (migrations, row counts, audit head hash, SHA-256 of every part) into one archive "
        "encrypted to the age public keys in BACKUP_AGE_RECIPIENTS. This machine cannot read the "
        "archive. The field, blind-index and audit keys are not in it: they live in the key escrow."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--output", type=Path, help="The archive to write (never replaced if it exists).")
        target.add_argument(
            "--output-dir", type=Path, help="Write healthpro-<UTC time>.tar.age in this folder (the nightly timer)."
        )

    def handle(self, *args, output=None, output_dir=None, **options):
        if output is None:
            output = output_dir / f"healthpro-{timezone.now():%Y%m%dT%H%M%SZ}.tar.age"
        progress = ProgressPrinter(self.stderr)
        try:
            result = backup_create(output=output, progress=progress)
        except BackupError as error:
            raise CommandError(str(error)) from error
        finally:
            progress.finish()
        self.stdout.write(
            f"Backup written: {result.path} ({result.archive_bytes} bytes, {result.rows} rows, "
            f"{result.documents} documents, {result.audit_rows} audit rows). SHA-256 {result.archive_sha256}"
        )
