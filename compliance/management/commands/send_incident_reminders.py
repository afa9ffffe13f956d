from django.core.management.base import BaseCommand

from compliance.services.incidents import incident_deadline_reminders_send


class Command(BaseCommand):
    help = (
        "E-mail the compliance officers before each incident notification deadline (24 h and 6 h before the "
        "72 hours; 7 days and 1 day before the 60-day and HHS deadlines). Each reminder is sent once: "
        "a rerun sends nothing new. Run it every few minutes from the scheduler."
    )

    def handle(self, *args, **options):
        sent = incident_deadline_reminders_send()
        self.stdout.write(f"{sent} incident deadline reminder{'s' if sent != 1 else ''} sent.")
