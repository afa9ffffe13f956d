"""manage.py backup_prune DIR: keep the newest daily, weekly and monthly archives, delete the rest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from healthpro.backups.retention import archives_prune


class Command(BaseCommand):
    help = (
        "Delete the nightly archives (healthpro-<UTC time>.tar.age) of DIR that fall outside the retention: "
        "the newest archive of each of the last --daily days, --weekly ISO weeks and --monthly months is kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="The folder backup --output-dir writes to.")
        parser.add_argument("--daily", type=int, default=7, help="Days to keep (default 7).")
        parser.add_argument("--weekly", type=int, default=5, help="ISO weeks to keep (default 5).")
        parser.add_argument("--monthly", type=int, default=12, help="Months to keep (default 12).")
        parser.add_argument("--dry-run", action="store_true", help="Say what would be deleted; delete nothing.")

    def handle(self, *args, folder, daily, weekly, monthly, dry_run, **options):
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        if min(daily, weekly, monthly) < 0 or max(daily, weekly, monthly) == 0:
            raise CommandError("--daily, --weekly and --monthly are 0 or more, and one of them more than 0.")
        kept, deleted = archives_prune(folder=folder, daily=daily, weekly=weekly, monthly=monthly, dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        for archive in deleted:
            self.stdout.write(f"{verb} {archive.path.name}")
        self.stdout.write(f"{len(kept)} archive(s) kept, {len(deleted)} {'to delete' if dry_run else 'deleted'}.")
