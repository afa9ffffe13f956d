"""E-mail assignees of data-subject requests that are due soon (the scheduled job, by hand)."""

from django.core.management.base import BaseCommand

from compliance.services.requests import REMINDER_DAYS_BEFORE, request_due_reminders_send


class Command(BaseCommand):
    help = "Remind the assigned compliance officers of data-subject requests due within N days (once per due date)."

    def add_arguments(self, parser):
        parser.add_argument("--days-before", type=int, default=REMINDER_DAYS_BEFORE)

    def handle(self, *args, days_before, **options):
        sent = request_due_reminders_send(days_before=days_before)
        self.stdout.write(f"{sent} reminder(s) sent.")
