"""`createsuperuser` refuses: a superuser bypasses the roles and writes no audit event. The first
administrator is made with `create_admin`."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Disabled: use `manage.py create_admin --email ...` to create an administrator."

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*")
        parser.add_argument("--email")
        parser.add_argument("--noinput", "--no-input", action="store_true")
        parser.add_argument("--database")

    def handle(self, *args, **options):
        raise CommandError(
            "createsuperuser is disabled in HealthPro: a superuser has no role and bypasses the audit. "
            "Use `manage.py create_admin --email ADDRESS` (it asks for the password, or reads it with "
            "--password-file or --password-stdin)."
        )
