"""Delete the data-subject exports past their expiry (compliance.services.exports.export_purge_expired)."""

from django.core.management.base import BaseCommand

from compliance.services.exports import export_purge_expired


class Command(BaseCommand):
    help = "Delete expired data-subject export archives and mark the exports expired."

    def handle(self, *args, **options):
        expired = export_purge_expired()
        self.stdout.write(f"Expired exports deleted: {expired}.")
