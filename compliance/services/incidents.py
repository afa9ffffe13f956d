"""Every write to the incident register: opening, editing, assessing, linking patients, the
notification drafts, and the deadline reminders.

Each change writes a timeline entry (which fields changed, counts and ids, never their contents)
and a security event in the same transaction. Linking a patient to an incident is about that
patient: it is an access event naming them, as is every later read of the list of affected
patients (compliance.selectors.incidents).
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services.emails import email_queue
from audit.models import AuditEvent
from audit.services import SYSTEM_ACTOR, record_access, record_security_event
from compliance import policies
from compliance.models import (
    DATA_CATEGORIES,
    Incident,
    IncidentPatient,
    IncidentReminder,
    IncidentTimelineEntry,
    NotificationDraft,
)
from records.models import Patient
from records.selectors import MAX_DATABASE_ID

logger = logging.getLogger(__name__)
Status = Incident.Status

REGISTER_FIELDS = (
    "title",
    "category",
    "severity",
    "description",
    "detection_method",
    "detected_at",
    "detected_by",
    "aware_at",
    "affected_count_estimate",
    "data_categories",
    "audit_event_ids",
)
EDITABLE_FIELDS = (*REGISTER_FIELDS, "status", "containment_actions", "recovery_actions")
ASSESSMENT_FIELDS = (
    "nature_and_extent",
    "unauthorised_recipient",
    "acquired_or_viewed",
    "mitigation",
    "hipaa_outcome",
    "gdpr_risk",
)
# Fields whose values may be named in the timeline: choices, never free text or PHI.
VALUE_SHOWN_FIELDS = {"category", "severity", "status", "detection_method", "hipaa_outcome", "gdpr_risk"}

# Reminders before each deadline: (threshold key, time before the deadline), most urgent last.
REMINDER_THRESHOLDS = {
    "authority": (("24h", datetime.timedelta(hours=24)), ("6h", datetime.timedelta(hours=6))),
    "individuals": (("7d", datetime.timedelta(days=7)), ("1d", datetime.timedelta(days=1))),
    "hhs": (("7d", datetime.timedelta(days=7)), ("1d", datetime.timedelta(days=1))),
}
NOTIFIED_FROM = (Status.OPEN, Status.CONTAINED, Status.ASSESSED)


def _require_officer(actor) -> None:
    if not policies.may_manage_incidents(actor):
        raise PermissionDenied("Only compliance officers manage incidents.")


def _timeline(incident: Incident, *, actor, action: str, summary: str) -> None:
    IncidentTimelineEntry.objects.create(
        incident=incident, occurred_at=timezone.now(), actor=actor, action=action, summary=summary[:500]
    )


def _audit(incident: Incident, *, actor, action: str, **details) -> None:
    record_security_event(action=f"incident.{action}", actor=actor, details={"incident_id": incident.pk, **details})


def _check_audit_event_ids(ids) -> None:
    if not isinstance(ids, list):
        return
    wanted = {value for value in ids if isinstance(value, int) and 0 < value <= MAX_DATABASE_ID}
    found = set(AuditEvent.objects.filter(id__in=wanted).values_list("id", flat=True))
    missing = sorted(set(ids) - found, key=str)
    if missing:
        raise ValidationError({"audit_event_ids": f"No audit event with id {', '.join(map(str, missing))}."})


def _check_not_future(incident: Incident, now) -> None:
    errors = {}
    for name in ("detected_at", "aware_at"):
        value = getattr(incident, name)
        if value is not None and value > now + datetime.timedelta(minutes=5):
            errors[name] = "This moment is in the future."
    if errors:
        raise ValidationError(errors)


def _changed(incident: Incident, data: dict, allowed) -> list[str]:
    changed = []
    for name, value in data.items():
        if name not in allowed:
            raise ValidationError({None: f"{name} cannot be set here."})
        if getattr(incident, name) != value:
            changed.append(name)
    return changed


def _describe(incident: Incident, changed: list[str], before: dict) -> str:
    parts = []
    for name in changed:
        label = Incident._meta.get_field(name).verbose_name
        if name in VALUE_SHOWN_FIELDS:
            parts.append(f"{label}: {before[name] or '—'} → {getattr(incident, name) or '—'}")
        elif name == "audit_event_ids":
            parts.append(f"audit events: {', '.join(map(str, incident.audit_event_ids)) or 'none'}")
        elif name == "data_categories":
            parts.append(f"data categories: {', '.join(incident.data_categories) or 'none'}")
        else:
            parts.append(str(label))
    return "Changed " + "; ".join(parts) + "."


def _locked(incident_id) -> Incident:
    try:
        incident_id = int(incident_id)
    except (TypeError, ValueError):
        incident_id = 0
    incident = None
    if 0 < incident_id <= MAX_DATABASE_ID:
        incident = Incident.objects.select_for_update().filter(pk=incident_id).first()
    if incident is None:
        raise ValidationError("No incident with that id.")
    return incident


def _require_open(incident: Incident, what: str) -> None:
    if incident.status == Status.CLOSED:
        raise ValidationError(f"Incident {incident.number} is closed: {what} is no longer possible.")


def incident_open(*, actor, data: dict) -> Incident:
    """Open an incident by hand or from audit events (data["audit_event_ids"])."""
    _require_officer(actor)
    unknown = set(data) - set(REGISTER_FIELDS)
    if unknown:
        raise ValidationError({None: f"{', '.join(sorted(unknown))} cannot be set when opening."})
    now = timezone.now()
    incident = Incident(reported_by=actor, **data)
    incident.reported_at = now
    incident.full_clean()
    _check_not_future(incident, now)
    _check_audit_event_ids(incident.audit_event_ids)
    with transaction.atomic():
        incident.save()
        _timeline(
            incident,
            actor=actor,
            action="opened",
            summary=f"Opened ({incident.get_category_display()}, {incident.get_severity_display()})"
            + (
                f" from audit events {', '.join(map(str, incident.audit_event_ids))}"
                if incident.audit_event_ids
                else ""
            )
            + ".",
        )
        _audit(incident, actor=actor, action="open", audit_event_ids=incident.audit_event_ids)
    return incident


def incident_update(*, actor, incident_id, data: dict) -> Incident:
    _require_officer(actor)
    with transaction.atomic():
        incident = _locked(incident_id)
        _require_open(incident, "editing")
        before = {name: getattr(incident, name) for name in EDITABLE_FIELDS}
        changed = _changed(incident, data, EDITABLE_FIELDS)
        if not changed:
            return incident
        for name in changed:
            setattr(incident, name, data[name])
        incident.full_clean()
        _check_not_future(incident, timezone.now())
        if "audit_event_ids" in changed:
            _check_audit_event_ids(incident.audit_event_ids)
        if incident.status == Status.CLOSED:
            incident.closed_at = timezone.now()
            changed.append("closed_at")
        incident.save(update_fields=changed)
        _timeline(incident, actor=actor, action="updated", summary=_describe(incident, changed, before))
        _audit(incident, actor=actor, action="update", fields=sorted(changed))
    return incident


def incident_assess(*, actor, incident_id, data: dict) -> Incident:
    """Record the risk assessment: HIPAA's four factors and outcome, GDPR's level of risk."""
    _require_officer(actor)
    errors = {
        name: "Give this part of the assessment."
        for name in ASSESSMENT_FIELDS
        if name not in ("acquired_or_viewed",) and not (data.get(name) or "").strip()
    }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = _locked(incident_id)
        _require_open(incident, "assessing it")
        before = {name: getattr(incident, name) for name in ASSESSMENT_FIELDS}
        changed = _changed(incident, data, ASSESSMENT_FIELDS)
        for name in changed:
            setattr(incident, name, data[name])
        incident.assessed_at = timezone.now()
        incident.assessed_by = actor
        fields = [*changed, "assessed_at", "assessed_by"]
        if incident.status in (Status.OPEN, Status.CONTAINED):
            before["status"] = incident.status
            incident.status = Status.ASSESSED
            fields.append("status")
            changed.append("status")
        incident.full_clean()
        incident.save(update_fields=fields)
        summary = _describe(incident, changed, before) if changed else "Assessment confirmed unchanged."
        _timeline(incident, actor=actor, action="assessed", summary=f"Risk assessed. {summary}")
        _audit(
            incident,
            actor=actor,
            action="assess",
            hipaa_outcome=incident.hipaa_outcome,
            gdpr_risk=incident.gdpr_risk,
        )
    return incident


def incident_patients_add(*, actor, incident_id, patient_ids: list[int]) -> list[int]:
    """Link patients to an incident; all or none. Each link is an access event about the patient.
    Returns the ids newly linked (those already linked are left as they are)."""
    _require_officer(actor)
    ids = []
    for value in patient_ids:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValidationError({"patient_ids": f"{value!s:.20} is not a patient id."}) from None
        if number not in ids:
            ids.append(number)
    if not ids:
        raise ValidationError({"patient_ids": "Give at least one patient id."})
    in_range = [number for number in ids if 0 < number <= MAX_DATABASE_ID]
    found = set(Patient.objects.filter(pk__in=in_range).values_list("pk", flat=True))
    missing = [number for number in ids if number not in found]
    if missing:
        raise ValidationError({"patient_ids": f"No patient with id {', '.join(map(str, missing))}: nothing was added."})
    with transaction.atomic():
        incident = _locked(incident_id)
        _require_open(incident, "adding patients")
        linked = set(incident.patient_links.values_list("patient_id", flat=True))
        new = [number for number in ids if number not in linked]
        for number in new:
            IncidentPatient.objects.create(incident=incident, patient_id=number, added_by=actor)
            record_access(
                actor=actor,
                patient_id=number,
                record_type="incident",
                action="incident.patient_link",
                purpose=AuditEvent.Purpose.ADMINISTRATION,
                record_id=incident.pk,
            )
        if new:
            _timeline(
                incident,
                actor=actor,
                action="patients_added",
                summary=f"Affected patients added: {len(new)} (patient ids {', '.join(map(str, new))}).",
            )
            _audit(incident, actor=actor, action="patients_add", patient_ids=new)
    return new


def _draft_context(incident: Incident) -> dict:
    linked = incident.patient_links.count()
    return {
        "incident": incident,
        "affected_count": incident.affected_count(linked),
        "categories": [DATA_CATEGORIES[key] for key in incident.data_categories],
        "deadlines": {deadline.key: deadline for deadline in incident.deadlines(linked=linked)},
        "organisation": settings.INCIDENT_CONTACT,
    }


def incident_draft_generate(*, actor, incident_id, kind: str) -> NotificationDraft:
    """Write (or, while unsent, write again) the notice of `kind` from the incident's record."""
    _require_officer(actor)
    if kind not in NotificationDraft.Kind.values:
        raise ValidationError({"kind": "Unknown kind of notice."})
    with transaction.atomic():
        incident = _locked(incident_id)
        _require_open(incident, "writing a notice")
        draft = NotificationDraft.objects.filter(incident=incident, kind=kind).first()
        if draft is not None and draft.sent_at is not None:
            raise ValidationError("This notice was sent: it can no longer be written again.")
        body = render_to_string(f"compliance/incidents/drafts/{kind}.txt", _draft_context(incident))
        if draft is None:
            draft = NotificationDraft(incident=incident, kind=kind)
        draft.body, draft.updated_by = body, actor
        draft.full_clean()
        draft.save()
        _timeline(
            incident, actor=actor, action="draft_generated", summary=f"Notice drafted: {draft.get_kind_display()}."
        )
        _audit(incident, actor=actor, action="draft_generate", kind=kind)
    return draft


def incident_draft_update(*, actor, incident_id, kind: str, body: str) -> NotificationDraft:
    _require_officer(actor)
    if not (body or "").strip():
        raise ValidationError({"body": "The notice cannot be empty."})
    with transaction.atomic():
        incident = _locked(incident_id)
        _require_open(incident, "editing a notice")
        draft = NotificationDraft.objects.select_for_update().filter(incident=incident, kind=kind).first()
        if draft is None:
            raise ValidationError("Write the draft first.")
        if draft.sent_at is not None:
            raise ValidationError("This notice was sent: it can no longer be changed.")
        draft.body, draft.updated_by = body, actor
        draft.full_clean()
        draft.save(update_fields=["body", "updated_by", "updated_at"])
        _timeline(incident, actor=actor, action="draft_edited", summary=f"Notice edited: {draft.get_kind_display()}.")
        _audit(incident, actor=actor, action="draft_update", kind=kind)
    return draft


def incident_draft_mark_sent(*, actor, incident_id, kind: str, sent_at: datetime.datetime) -> NotificationDraft:
    """Record when a notice was sent: that deadline is met. The authority's or the individuals'
    notice moves an open, contained or assessed incident to notified."""
    _require_officer(actor)
    now = timezone.now()
    if sent_at is None or sent_at > now + datetime.timedelta(minutes=5):
        raise ValidationError({"sent_at": "Give the moment it was sent; it cannot be in the future."})
    with transaction.atomic():
        incident = _locked(incident_id)
        _require_open(incident, "recording a notice")
        draft = NotificationDraft.objects.select_for_update().filter(incident=incident, kind=kind).first()
        if draft is None:
            raise ValidationError("Write the draft first.")
        field = NotificationDraft.SENT_FIELDS[kind]
        if draft.sent_at is not None or getattr(incident, field) is not None:
            raise ValidationError("This deadline is already met: the notice was recorded as sent.")
        if sent_at < incident.aware_at - datetime.timedelta(minutes=5):
            raise ValidationError({"sent_at": "A notice cannot be sent before the clinic became aware."})
        draft.sent_at, draft.sent_by = sent_at, actor
        draft.save(update_fields=["sent_at", "sent_by"])
        setattr(incident, field, sent_at)
        fields = [field]
        moved = ""
        if kind in (NotificationDraft.Kind.AUTHORITY, NotificationDraft.Kind.INDIVIDUALS) and (
            incident.status in NOTIFIED_FROM
        ):
            moved = f" Status: {incident.status} → notified."
            incident.status = Status.NOTIFIED
            fields.append("status")
        incident.save(update_fields=fields)
        _timeline(
            incident,
            actor=actor,
            action="notice_sent",
            summary=f"Notice recorded as sent {sent_at:%Y-%m-%d %H:%M} UTC: {draft.get_kind_display()}.{moved}",
        )
        _audit(incident, actor=actor, action="notice_sent", kind=kind, sent_at=sent_at.isoformat())
    return draft


def _officers() -> list[User]:
    return list(User.objects.filter(groups__name=Role.COMPLIANCE.value, is_active=True).order_by("pk"))


def _send_reminder(incident: Incident, deadline, threshold: str, now, recipients: list[User]) -> bool:
    """One reminder, recorded in the transaction that queues its e-mails in the outbox (which
    retries a mail server that fails); a concurrent run finds the record and queues nothing."""
    try:
        with transaction.atomic():
            IncidentReminder.objects.create(
                incident=incident,
                deadline=deadline.key,
                threshold=threshold,
                sent_at=now,
                recipients=len(recipients),
            )
            context = {
                "number": incident.number,
                "deadline_label": deadline.label,
                "due_at": deadline.due_at.isoformat(),
                "path": reverse("compliance:incident-detail", args=[incident.pk]),
            }
            for officer in recipients:
                email_queue(
                    template="incident_deadline_reminder",
                    recipient=officer,
                    context=context,
                    base_url=settings.SITE_URL.rstrip("/"),
                )
            record_security_event(
                action="incident.reminder_sent",
                actor=SYSTEM_ACTOR,
                details={
                    "incident_id": incident.pk,
                    "deadline": deadline.key,
                    "threshold": threshold,
                    "recipients": len(recipients),
                },
            )
    except IntegrityError:
        return False
    return True


def incident_deadline_reminders_send(*, now=None) -> int:
    """E-mail the compliance officers before each running deadline of every incident not closed,
    once per deadline and threshold (24 h and 6 h before the 72 hours; 7 days and 1 day before the
    60-day and HHS deadlines). A run that finds several thresholds passed sends the most urgent
    one and records the others as covered. Nothing is sent after a deadline passed or was met.
    Returns the number of reminders sent."""
    now = now or timezone.now()
    recipients = _officers()
    if not recipients:
        # Nothing is recorded: the reminders go out once there is someone to receive them.
        logger.warning("Incident deadline reminders: no active compliance officer to send them to.")
        return 0
    sent = 0
    incidents = Incident.objects.exclude(status=Status.CLOSED).prefetch_related("reminders")
    for incident in incidents:
        done = {(reminder.deadline, reminder.threshold) for reminder in incident.reminders.all()}
        for deadline in incident.deadlines():
            if not deadline.is_running or now >= deadline.due_at:
                continue
            passed = [key for key, before in REMINDER_THRESHOLDS[deadline.key] if now >= deadline.due_at - before]
            if not passed or (deadline.key, passed[-1]) in done:
                continue
            if _send_reminder(incident, deadline, passed[-1], now, recipients):
                sent += 1
            for covered in passed[:-1]:
                if (deadline.key, covered) not in done:
                    IncidentReminder.objects.get_or_create(
                        incident=incident,
                        deadline=deadline.key,
                        threshold=covered,
                        defaults={"sent_at": now, "recipients": 0},
                    )
    return sent
