"""Which key encrypts, signs or writes, which are only accepted, and how much each still covers.

Read-only. Keys appear as fingerprints (the first 8 hex digits of their SHA-256), never as keys.
Run it during a rotation: an old key may be removed once nothing is counted under it.
"""

from django.core.management.base import BaseCommand

from healthpro.key_status import key_status_report


class Command(BaseCommand):
    help = "Show every key ring by fingerprint, and the rows and files each key still covers."

    def handle(self, *args, **options):
        for line in key_status_report():
            self.stdout.write(line)
