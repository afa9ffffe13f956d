"""Print fresh secrets as .env lines, or write them as 0600 files and print the *_FILE lines."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from healthpro.secret_generation import env_lines, secret_files_write, secrets_generate


class Command(BaseCommand):
    help = (
        "Generate a fresh value for every secret HealthPro reads (SECRET_KEY, FIELD_ENCRYPTION_KEYS, "
        "BLIND_INDEX_KEY, AUDIT_HMAC_KEY, JWT_SIGNING_KEY). Prints NAME=value lines; with --dir, writes "
        "one file per secret (mode 0600) and prints the NAME_FILE=path lines instead. Existing files "
        "are never replaced: rotating a key is a deliberate step (README, 'Running in production')."
    )
    # Runs before any secret exists: manage.py starts it without the project's settings.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="Write the secrets as files in this folder (created 0700).")

    def handle(self, *args, dir=None, **options):
        values = secrets_generate()
        if dir is None:
            self.stdout.write(env_lines(values), ending="")
            return
        try:
            files = secret_files_write(values, dir)
        except FileExistsError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(env_lines({name: str(path) for name, path in files.items()}), ending="")
        self.stderr.write(f"Wrote {len(files)} secret files (mode 0600) in {Path(dir).resolve()}.")
