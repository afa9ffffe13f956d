"""Move the audit chain to AUDIT_HMAC_KEY: one rotation row, signed under the new key, that links
to the old chain's head and seals every row before it (README "Rotating keys").

Run it right after restarting with the new key in AUDIT_HMAC_KEY and the old one in
AUDIT_HMAC_PREVIOUS_KEYS; until then rows go on being signed under the old key. Refuses when the
chain does not verify. Running it again once the chain is under the new key changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from audit.chain import current_key_id
from audit.services import AuditKeyRotationError, audit_key_rotate


class Command(BaseCommand):
    help = "Link the audit chain to the current AUDIT_HMAC_KEY with a rotation row sealing the rows before it."

    def handle(self, *args, **options):
        try:
            event = audit_key_rotate()
        except AuditKeyRotationError as error:
            raise CommandError(f"The audit chain does not verify ({error}); nothing was written.") from None
        if event is None:
            self.stdout.write(f"The audit chain is already signed under key {current_key_id()}; nothing to do.")
            return
        self.stdout.write(
            f"Audit chain moved from key {event.details['previous_key']} to key {event.details['key']}: "
            f"rotation row {event.id} seals rows 1..{event.details['sealed_through_id']}."
        )
