"""Background jobs of compliance: thin, ids in, a service call inside (README "Background jobs").

With no broker configured they run in this process after the transaction that queued them commits
(core.background); the scheduled ones are also management commands.
"""

from celery import shared_task

from accounts.models import User
from audit.services import SYSTEM_ACTOR
from compliance.services.exports import export_build, export_purge_expired
from compliance.services.incidents import incident_deadline_reminders_send
from compliance.services.reminders import appointment_reminders_send
from compliance.services.requests import request_due_reminders_send

# The id that stands for "none" in a task's arguments, which are ints only.
NO_ID = 0


@shared_task(name="compliance.export_build")
def export_build_task(patient_id: int, actor_id: int = NO_ID, request_id: int = NO_ID) -> int:
    """Build a patient's export; the actor is the user `actor_id` (the compliance officer or the
    patient) or, without one, the system. Returns the export's id."""
    actor = User.objects.get(pk=actor_id) if actor_id != NO_ID else SYSTEM_ACTOR
    return export_build(actor=actor, patient_id=patient_id, request_id=request_id or None).pk


@shared_task(name="compliance.exports_purge")
def exports_purge_task() -> int:
    return export_purge_expired()


@shared_task(name="compliance.appointment_reminders_send")
def appointment_reminders_task() -> int:
    return appointment_reminders_send().sent


@shared_task(name="compliance.request_due_reminders_send")
def request_due_reminders_task() -> int:
    return request_due_reminders_send()


@shared_task(name="compliance.incident_deadline_reminders_send")
def incident_deadline_reminders_task() -> int:
    return incident_deadline_reminders_send()
