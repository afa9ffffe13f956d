"""Print the current TOTP code of a demo account's authenticator (DEBUG only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo staff account. Only with DEBUG on."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp runs only with DEBUG on.")
        device = TOTPDevice.objects.filter(user__email__iexact=email, name="Demo authenticator").first()
        if device is None:
            raise CommandError("No demo authenticator for that account; run `manage.py seed_demo` first.")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(f"{code:0{device.digits}d}")
