"""Publish again the queued e-mails that waited too long (the beat runs it every 5 minutes)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.services.emails import email_outbox_sweep


class Command(BaseCommand):
    help = (
        "Queue again every e-mail still queued after --minutes (a broker that was down, a worker "
        "that died, an in-process attempt that failed). Without a broker they are sent here."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes",
            type=int,
            default=settings.EMAIL_OUTBOX_SWEEP_AFTER_MINUTES,
            help=f"waited at least this long (default {settings.EMAIL_OUTBOX_SWEEP_AFTER_MINUTES})",
        )

    def handle(self, *args, minutes, **options):
        count = email_outbox_sweep(older_than=timedelta(minutes=minutes))
        self.stdout.write(f"{count} queued e-mail(s) published again.")
