"""Background jobs of compliance: thin, ids in, a service call inside.

With no broker configured they are plain calls (a patient's request builds in-process once its
transaction has committed: compliance.services.exports.export_request).
"""

from accounts.models import User
from audit.services import SYSTEM_ACTOR
from compliance.services.exports import export_build, export_purge_expired


def export_build_task(*, patient_id: int, actor_id: int | None = None, request_id: int | None = None) -> int:
    """Build a patient's export; the actor is the user `actor_id` (the compliance officer or the
    patient) or, without one, the system. Returns the export's id."""
    actor = User.objects.get(pk=actor_id) if actor_id is not None else SYSTEM_ACTOR
    return export_build(actor=actor, patient_id=patient_id, request_id=request_id).pk


def exports_purge_task() -> int:
    return export_purge_expired()
