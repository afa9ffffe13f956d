"""Demo accounts for local development: one per role, a documented password, TOTP for staff.

Refuses to run with DEBUG off: a documented password must never exist in production.
Idempotent: existing demo accounts are kept and their details printed again.
"""

import base64

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import Role
from accounts.services.users import user_create

DEMO_PASSWORD = "HealthPro-demo-2026!"  # noqa: S105  (published on purpose; DEBUG only)
DEMO_DOMAIN = "demo.healthpro.test"
DEMO_PEOPLE = {
    Role.ADMIN: "Ada Admin",
    Role.DOCTOR: "Dr. Demo Doctor",
    Role.NURSE: "Nina Demo Nurse",
    Role.RECEPTIONIST: "Rita Demo Reception",
    Role.COMPLIANCE: "Carl Demo Compliance",
    Role.PATIENT: "Pat Demo Patient",
}


def demo_email(role: Role) -> str:
    return f"{role.value}@{DEMO_DOMAIN}"


class Command(BaseCommand):
    help = "Create the demo accounts (one per role). Only with DEBUG on."

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo creates accounts with a published password; it runs only with DEBUG on.")
        rows = []
        for role, name in DEMO_PEOPLE.items():
            email = demo_email(role)
            user = User.objects.filter(email=email).first()
            if user is None:
                user = user_create(actor=None, email=email, full_name=name, role=role, password=DEMO_PASSWORD)
            if role.is_staff_role:
                device = TOTPDevice.objects.filter(user=user, name="Demo authenticator").first()
                if device is None:
                    device = TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)
                secret = base64.b32encode(device.bin_key).decode()
            else:
                secret = ""
            rows.append((role, email, secret))

        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password for all: {DEMO_PASSWORD})"))
        for role, email, secret in rows:
            line = f"  {role.label:<20} {email:<32}"
            if secret:
                line += f" TOTP secret {secret}"
            self.stdout.write(line)
        self.stdout.write(
            "Staff accounts have a TOTP authenticator: add the secret to an authenticator app "
            "(or run `make totp EMAIL=...` for the current code) to pass the second factor."
        )
