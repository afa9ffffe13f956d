"""Make an age identity for backups: the file for the offline vault, the public key for the server."""

import os
from pathlib import Path

import pyrage
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Write a new age X25519 identity to --output (mode 0600, never replaced) and print its public "
        "key, the value for BACKUP_AGE_RECIPIENTS. Run it on the machine that keeps the identity "
        "offline, not on the server; `age-keygen -o FILE` does the same."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, required=True)

    def handle(self, *args, output, **options):
        identity = pyrage.x25519.Identity.generate()
        public = identity.to_public()
        try:
            descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(f"{output} exists: an identity file is never replaced.") from None
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(f"# public key: {public}\n{identity}\n")
        self.stderr.write(f"Identity written to {output.resolve()} (mode 0600). Keep it offline.")
        self.stdout.write(str(public))
