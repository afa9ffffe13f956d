"""Reads of the incident register, for compliance officers only (compliance.policies).

The register and an incident's page name no patient; the list of affected patients does, so each
read of it is an access event naming the patients shown.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_access
from compliance import policies
from compliance.models import Incident, IncidentPatient, NotificationDraft
from records.selectors import MAX_DATABASE_ID

NOT_FOUND_MESSAGE = "No incident with that id."


@dataclass
class RegisterRow:
    incident: Incident
    next_deadline: object
    overdue: bool


def _require_officer(user) -> None:
    if not policies.may_manage_incidents(user):
        raise PermissionDenied("Only compliance officers see the incident register.")


def incident_register(*, user, now=None) -> list[RegisterRow]:
    """Every incident, those with a running clock first by what is due first (overdue at the top),
    then those with none (closed, or every notice sent) by awareness, newest first."""
    _require_officer(user)
    now = now or timezone.now()
    incidents = Incident.objects.annotate(linked=Count("patient_links")).order_by("-aware_at", "-id")
    rows = []
    for incident in incidents:
        deadline = incident.next_deadline(linked=incident.linked)
        rows.append(RegisterRow(incident, deadline, deadline is not None and deadline.is_overdue(now)))
    with_clock = sorted((row for row in rows if row.next_deadline), key=lambda row: row.next_deadline.due_at)
    return with_clock + [row for row in rows if row.next_deadline is None]


def incident_get(*, user, incident_id) -> Incident:
    _require_officer(user)
    try:
        incident_id = int(incident_id)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND_MESSAGE) from None
    if not 0 < incident_id <= MAX_DATABASE_ID:
        raise Http404(NOT_FOUND_MESSAGE)
    incident = Incident.objects.select_related("reported_by", "assessed_by").filter(pk=incident_id).first()
    if incident is None:
        raise Http404(NOT_FOUND_MESSAGE)
    return incident


def incident_affected_patients(*, user, incident: Incident) -> list[IncidentPatient]:
    """The patients linked to `incident`, with their names; an access event names them."""
    _require_officer(user)
    with transaction.atomic():
        links = list(incident.patient_links.select_related("patient", "added_by").order_by("id"))
        if links:
            record_access(
                actor=user,
                patient_id=None,
                record_type="incident",
                action="incident.patients_read",
                purpose=AuditEvent.Purpose.ADMINISTRATION,
                record_id=incident.pk,
                details={"patient_ids": [link.patient_id for link in links]},
            )
    return links


def incident_audit_events(*, user, incident: Incident) -> list[AuditEvent]:
    _require_officer(user)
    return list(AuditEvent.objects.filter(id__in=incident.audit_event_ids).order_by("id"))


def incident_draft_get(*, user, incident: Incident, kind: str) -> NotificationDraft | None:
    _require_officer(user)
    if kind not in NotificationDraft.Kind.values:
        raise Http404("No such kind of notice.")
    return NotificationDraft.objects.filter(incident=incident, kind=kind).first()
