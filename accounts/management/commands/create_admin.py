"""`manage.py create_admin --email ...`: the first administrator (README "Running in production",
step 5). The password is asked twice at the terminal, or read from a file (`--password-file`) or
from standard input (`--password-stdin`) for automation; never from an argument (it would show in
the process list and the shell history)."""

import getpass
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from accounts.selectors import user_get_by_email
from accounts.services.users import admin_create_first


class Command(BaseCommand):
    help = (
        "Create an account with the admin role. It must set up an authenticator (TOTP) at its first "
        "sign-in. Audited as account.create by the actor 'system'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The administrator's e-mail address (their sign-in).")
        parser.add_argument("--full-name", default="", help="The administrator's name.")
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--password-file", type=Path, help="Read the password from the first line of this file.")
        source.add_argument(
            "--password-stdin", action="store_true", help="Read the password from the first line of standard input."
        )

    def handle(self, *args, email, full_name, password_file, password_stdin, **options):
        email = email.strip()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError("That is not a valid e-mail address.") from None
        if user_get_by_email(email=email) is not None:
            raise CommandError("An account with this e-mail address already exists.")
        password = self._password(password_file, password_stdin)
        try:
            user = admin_create_first(email=email, full_name=full_name, password=password)
        except ValidationError as error:
            raise CommandError("The password was refused: " + " ".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Created {user.email} with the admin role.")
            + "\nSign in at /accounts/login/ (or /admin/) with this password: at the first sign-in you "
            "set up an authenticator app (TOTP, a QR code to scan) and receive recovery codes; the "
            "admin site opens only after that code step."
        )

    def _password(self, password_file: Path | None, password_stdin: bool) -> str:
        if password_file is not None:
            try:
                return self._first_line(password_file.read_text(encoding="utf-8"))
            except OSError:
                raise CommandError("The password file cannot be read.") from None
        if password_stdin:
            return self._first_line(sys.stdin.read())
        if not sys.stdin.isatty():
            raise CommandError("No terminal to ask the password: use --password-file or --password-stdin.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return first

    @staticmethod
    def _first_line(text: str) -> str:
        password = text.splitlines()[0] if text else ""
        if not password:
            raise CommandError("The password is empty.")
        return password
