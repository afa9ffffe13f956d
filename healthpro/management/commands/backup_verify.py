"""Check an encrypted backup archive without restoring it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from healthpro.backups.progress import ProgressPrinter
from healthpro.backups.services import BackupError, backup_verify


class Command(BaseCommand):
    help = (
        "Decrypt an archive with an age identity file and check it without restoring anything: "
        "every part's SHA-256 against the manifest, and the manifest's shape. Needs no database."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--identity", type=Path, required=True, help="An age identity file (AGE-SECRET-KEY-1...).")

    def handle(self, *args, archive, identity, **options):
        progress = ProgressPrinter(self.stderr)
        try:
            result = backup_verify(archive=archive, identity=identity, progress=progress)
        except BackupError as error:
            raise CommandError(str(error)) from error
        finally:
            progress.finish()
        manifest = result.manifest
        self.stdout.write(
            f"Archive intact: {result.parts} parts match the manifest. Made {manifest['created_at']} by "
            f"HealthPro {manifest['app_version']} ({manifest['database_engine']}): {result.rows} rows, "
            f"{result.documents} documents, audit head {manifest['audit']['head_hash']} "
            f"(row {manifest['audit']['rows']}). Archive SHA-256 {result.archive_sha256}: compare it with the "
            "one `backup` printed and recorded (audit event backup.create)."
        )
