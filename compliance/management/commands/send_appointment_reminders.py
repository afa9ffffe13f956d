"""`manage.py send_appointment_reminders`: e-mail the reminders of appointments 24 to 48 hours
ahead to the patients who consented to e-mail reminders, each once. Run it daily or hourly
(a rerun sends nothing twice)."""

from django.core.management.base import BaseCommand

from compliance.services.reminders import appointment_reminders_send


class Command(BaseCommand):
    help = "Send appointment reminder e-mails (24-48 h ahead) to patients who consented to them, once each."

    def handle(self, *args, **options):
        run = appointment_reminders_send(progress=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"{run.due} appointment(s) due a reminder: {run.sent} sent, {run.without_consent} without consent, "
                f"{run.without_address} without an e-mail address."
            )
        )
