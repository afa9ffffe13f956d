"""The scheduled session clean-up, by hand: our session records and Django's session data."""

from django.core.management.base import BaseCommand

from accounts.services.sessions import sessions_cleanup


class Command(BaseCommand):
    help = (
        "End session records past the absolute timeout, delete those that ended more than "
        "USER_SESSION_RETENTION_DAYS ago, and delete Django's expired sessions (as clearsessions)."
    )

    def handle(self, *args, **options):
        counts = sessions_cleanup()
        self.stdout.write(
            f"Session records ended: {counts['records_ended']}, deleted: {counts['records_deleted']}; "
            f"expired Django sessions deleted: {counts['django_sessions_deleted']}."
        )
