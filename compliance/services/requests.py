"""Every write of data-subject requests: `request_<action>(*, actor, ...)`.

Each step locks the request row, checks who may do it and that the request is still open, writes
the request, a RequestEvent (the history) and an audit event in one transaction: a refused step
leaves nothing behind. The work a step triggers on the records side (a correction, a restriction)
goes through records.services, with the same actor, inside that transaction.

Identity: a request opened in the portal is received; a compliance officer verifies the identity
(how, and who) before it can be completed. One recorded by an officer from a letter or at the
desk is verified as it is recorded. Due date: one month from receipt, extendable by up to two
months with a reason (GDPR Art. 12(3)).
"""

import datetime
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.services.emails import email_queue
from audit.models import AuditEvent
from audit.services import record_access, record_security_event
from compliance import policies
from compliance.models import DataSubjectRequest, RequestEvent, add_months
from compliance.models.requests import MAX_EXTENSION_MONTHS
from compliance.selectors import legal_hold_active, today
from compliance.selectors.requests import NOT_FOUND_MESSAGE
from core.background import enqueue
from records import policies as records_policies
from records import services as records_services
from records.models import Patient
from records.selectors import portal_patient_get, record_id_or_404

Kind = DataSubjectRequest.Kind
Status = DataSubjectRequest.Status
Outcome = DataSubjectRequest.Outcome
Action = RequestEvent.Action
Purpose = AuditEvent.Purpose

MIN_REASON_CHARS = 10
REMINDER_DAYS_BEFORE = 7
EXPORT_KINDS = (Kind.ACCESS, Kind.PORTABILITY)
RESTRICTING_KINDS = (Kind.RESTRICTION, Kind.OBJECTION)


# The job that builds an export (compliance.tasks.export_build_task), by its registered name.
EXPORT_BUILD_TASK = "compliance.export_build"


def _reason(value: str, field: str, what: str) -> str:
    value = " ".join((value or "").split())
    if len(value) < MIN_REASON_CHARS:
        raise ValidationError({field: f"Give the reason for {what} (at least {MIN_REASON_CHARS} characters)."})
    return value


def _audit(*, actor, request: DataSubjectRequest, action: str, purpose: str, details: dict | None = None) -> None:
    record_access(
        actor=actor,
        patient_id=request.patient_id,
        record_type="data_subject_request",
        action=f"dsr.{action}",
        purpose=purpose,
        record_id=request.pk,
        details={"kind": request.kind, "status": request.status, **(details or {})},
    )


def _step(
    *, actor, request: DataSubjectRequest, action: str, note: str = "", purpose=Purpose.ADMINISTRATION, **details
):
    RequestEvent.objects.create(
        request=request, occurred_at=timezone.now(), actor=actor, action=action, status=request.status, note=note
    )
    _audit(actor=actor, request=request, action=action, purpose=purpose, details=details or None)


def _locked(request_id) -> DataSubjectRequest:
    request = DataSubjectRequest.objects.select_for_update().filter(pk=record_id_or_404(request_id)).first()
    if request is None:
        raise Http404(NOT_FOUND_MESSAGE)
    return request


def _require_open(request: DataSubjectRequest) -> None:
    if not request.is_open:
        raise ValidationError(f"Request {request.number} is {request.get_status_display().lower()}: it is closed.")


def _require_officer(actor) -> None:
    if not policies.may_work_requests(actor):
        raise PermissionDenied("Only compliance officers work data-subject requests.")


def _clean_proposed_values(patient: Patient, proposed: dict | None) -> dict:
    """The correction a patient proposes: fields they may ask to correct, each valid for the field
    and different from what is recorded now; at least one."""
    proposed = proposed or {}
    unknown = set(proposed) - set(records_policies.PATIENT_RECTIFIABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "This detail cannot be corrected by a request." for name in sorted(unknown)})
    cleaned, errors = {}, {}
    for name, value in proposed.items():
        field = Patient._meta.get_field(name)
        try:
            value = field.clean(value, patient)
        except ValidationError as error:
            errors[name] = error.messages
            continue
        if value != getattr(patient, name):
            cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    if not cleaned:
        raise ValidationError("Change at least one detail: what you proposed is what we have recorded.")
    return cleaned


def _as_json(values: dict) -> str:
    return json.dumps(values, cls=DjangoJSONEncoder, sort_keys=True)


def proposed_values_of(request: DataSubjectRequest) -> dict:
    """The proposed correction, with each value as its field's Python value."""
    raw = json.loads(request.proposed_values or "{}")
    return {name: Patient._meta.get_field(name).to_python(value) for name, value in raw.items()}


def previous_values_of(request: DataSubjectRequest) -> dict:
    raw = json.loads(request.previous_values or "{}")
    return {name: Patient._meta.get_field(name).to_python(value) for name, value in raw.items()}


def _create(
    *, actor, patient: Patient, kind: str, channel: str, received_on, details: str, proposed: dict | None, purpose
):
    if kind not in Kind.values:
        raise ValidationError({"kind": "Choose the kind of request."})
    proposed_json = ""
    if kind == Kind.RECTIFICATION:
        proposed_json = _as_json(_clean_proposed_values(patient, proposed))
    elif proposed:
        raise ValidationError({"proposed_values": "Only a correction request carries proposed values."})
    request = DataSubjectRequest(
        patient=patient,
        kind=kind,
        channel=channel,
        details=(details or "").strip(),
        received_on=received_on,
        due_on=add_months(received_on, 1),
        opened_by=actor,
        proposed_values=proposed_json,
    )
    request.full_clean(validate_constraints=False)
    existing = DataSubjectRequest.objects.filter(
        patient=patient, kind=kind, status__in=DataSubjectRequest.OPEN_STATUSES
    )
    duplicate_message = "There is already an open request of this kind: {number}. Follow it, or withdraw it first."
    # Patient row lock: two requests of the same patient are opened one after the other.
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    open_request = existing.first()
    if open_request is not None:
        raise ValidationError({"kind": duplicate_message.format(number=open_request.number)})
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise ValidationError({"kind": duplicate_message.format(number="see your requests")}) from None
    _step(actor=actor, request=request, action=Action.OPENED, purpose=purpose, channel=channel)
    return request


def request_open(*, actor, kind: str, details: str = "", proposed_values: dict | None = None) -> DataSubjectRequest:
    """A patient opens a request about their own record in the portal (or the API)."""
    if not policies.may_open_own_request(actor):
        raise PermissionDenied("Only patients open their own requests here.")
    patient = portal_patient_get(user=actor)
    if patient is None:
        raise Http404("No record is linked to your account.")
    with transaction.atomic():
        return _create(
            actor=actor,
            patient=patient,
            kind=kind,
            channel=DataSubjectRequest.Channel.PORTAL,
            received_on=today(),
            details=details,
            proposed=proposed_values,
            purpose=Purpose.SELF,
        )


def request_record(
    *,
    actor,
    patient_id,
    kind: str,
    channel: str,
    received_on,
    identity_method: str,
    identity_note: str = "",
    details: str = "",
    proposed_values: dict | None = None,
) -> DataSubjectRequest:
    """A compliance officer records a request received outside the portal, with the identity
    check already done (`identity_method`, by the officer)."""
    _require_officer(actor)
    if channel not in DataSubjectRequest.Channel.values or channel == DataSubjectRequest.Channel.PORTAL:
        raise ValidationError({"channel": "Choose how the request was received (letter, desk, e-mail, telephone)."})
    if received_on is None or received_on > today():
        raise ValidationError({"received_on": "The date of receipt cannot be in the future."})
    if identity_method not in DataSubjectRequest.IdentityMethod.values:
        raise ValidationError({"identity_method": "Say how the requester's identity was verified."})
    with transaction.atomic():
        patient = Patient.objects.filter(pk=record_id_or_404(patient_id)).first()
        if patient is None:
            raise Http404("No patient with that id.")
        request = _create(
            actor=actor,
            patient=patient,
            kind=kind,
            channel=channel,
            received_on=received_on,
            details=details,
            proposed=proposed_values,
            purpose=Purpose.ADMINISTRATION,
        )
        _verify(actor=actor, request=request, method=identity_method, note=identity_note)
    return request


def _verify(*, actor, request: DataSubjectRequest, method: str, note: str) -> None:
    if method not in DataSubjectRequest.IdentityMethod.values:
        raise ValidationError({"method": "Say how the requester's identity was verified."})
    if method == DataSubjectRequest.IdentityMethod.OTHER and not (note or "").strip():
        raise ValidationError({"note": "Describe how the identity was verified."})
    request.identity_method = method
    request.identity_verified_by = actor
    request.identity_verified_at = timezone.now()
    request.status = Status.IDENTITY_VERIFIED if request.assignee_id is None else Status.IN_PROGRESS
    request.save(update_fields=["identity_method", "identity_verified_by", "identity_verified_at", "status"])
    _step(actor=actor, request=request, action=Action.IDENTITY_VERIFIED, note=(note or "").strip(), method=method)


def request_verify_identity(*, actor, request_id, method: str, note: str = "") -> DataSubjectRequest:
    _require_officer(actor)
    with transaction.atomic():
        request = _locked(request_id)
        _require_open(request)
        if request.identity_verified:
            raise ValidationError("The identity of this request's requester is already verified.")
        _verify(actor=actor, request=request, method=method, note=note)
    return request


def request_assign(*, actor, request_id, assignee) -> DataSubjectRequest:
    _require_officer(actor)
    if not isinstance(assignee, User) or not policies.may_be_assigned_requests(assignee):
        raise ValidationError({"assignee": "Choose an active compliance officer."})
    with transaction.atomic():
        request = _locked(request_id)
        _require_open(request)
        request.assignee = assignee
        if request.status == Status.IDENTITY_VERIFIED:
            request.status = Status.IN_PROGRESS
        request.save(update_fields=["assignee", "status"])
        _step(actor=actor, request=request, action=Action.ASSIGNED, assignee_id=assignee.pk)
    return request


def request_extend(*, actor, request_id, months: int, reason: str) -> DataSubjectRequest:
    """Extend the due date by `months` (GDPR Art. 12(3): by two further months at most in all),
    with the reason, which the patient is told in the portal."""
    _require_officer(actor)
    reason = _reason(reason, "reason", "the extension")
    with transaction.atomic():
        request = _locked(request_id)
        _require_open(request)
        if not isinstance(months, int) or isinstance(months, bool) or months < 1:
            raise ValidationError({"months": "Extend by one or two months."})
        if request.extension_months + months > MAX_EXTENSION_MONTHS:
            left = MAX_EXTENSION_MONTHS - request.extension_months
            raise ValidationError(
                {"months": f"The due date can be extended by two months at most in all; {left} left for this request."}
            )
        request.extension_months += months
        request.extension_reason = f"{request.extension_reason}\n{reason}".strip()
        request.due_on = add_months(request.received_on, 1 + request.extension_months)
        request.full_clean(validate_constraints=False)
        request.save(update_fields=["extension_months", "extension_reason", "due_on"])
        _step(actor=actor, request=request, action=Action.EXTENDED, note=reason, months=months, due_on=request.due_on)
    return request


def request_export_produce(*, actor, request: DataSubjectRequest) -> None:
    """The export that completes an access or portability request (GDPR Art. 15, 20): built by the
    background job `compliance.export_build` once the completion has committed, for the patient
    to download from the portal (compliance.services.exports)."""
    enqueue(EXPORT_BUILD_TASK, request.patient_id, actor.pk, request.pk)


def _close(request: DataSubjectRequest, status: str, outcome: str, fields: list[str]) -> None:
    request.status = status
    request.outcome = outcome
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "outcome", "closed_at", *fields])


def request_complete(*, actor, request_id, note: str = "") -> DataSubjectRequest:
    """Complete an open, identity-verified request: an access or portability request produces its
    export (request_export_produce); a restriction or objection restricts processing of the
    patient's record (records.services.patient_restriction_set); an erasure request is approved,
    unless a legal hold is in force on the patient. A correction is applied or refused instead
    (rectification_apply)."""
    _require_officer(actor)
    with transaction.atomic():
        request = _locked(request_id)
        _require_open(request)
        if not request.identity_verified:
            raise ValidationError("Verify the requester's identity before completing the request.")
        outcome = Outcome.DONE
        if request.kind == Kind.RECTIFICATION:
            raise ValidationError("Apply or refuse the proposed corrections instead.")
        if request.kind in EXPORT_KINDS:
            request_export_produce(actor=actor, request=request)
        elif request.kind in RESTRICTING_KINDS:
            records_services.patient_restriction_set(
                actor=actor,
                patient_id=request.patient_id,
                restricted=True,
                reason=f"{request.number}: {request.get_kind_display()}",
            )
        elif request.kind == Kind.ERASURE:
            if legal_hold_active(request.patient_id):
                raise ValidationError("A legal hold is in force on this patient: erasure cannot be approved.")
            outcome = Outcome.APPROVED
        _close(request, Status.COMPLETED, outcome, [])
        _step(actor=actor, request=request, action=Action.COMPLETED, note=(note or "").strip(), outcome=outcome)
    return request


def request_refuse(*, actor, request_id, reason: str) -> DataSubjectRequest:
    _require_officer(actor)
    reason = _reason(reason, "reason", "the refusal")
    with transaction.atomic():
        request = _locked(request_id)
        _require_open(request)
        request.refusal_reason = reason
        _close(request, Status.REFUSED, Outcome.REFUSED, ["refusal_reason"])
        _step(actor=actor, request=request, action=Action.REFUSED, note=reason)
    return request


def request_withdraw(*, actor, request_id) -> DataSubjectRequest:
    """The patient withdraws an open request of their own; another patient's is a 404."""
    patient = portal_patient_get(user=actor)
    with transaction.atomic():
        request = _locked(request_id)
        if patient is None or request.patient_id != patient.pk:
            raise Http404(NOT_FOUND_MESSAGE)
        _require_open(request)
        _close(request, Status.WITHDRAWN, Outcome.NONE, [])
        _step(actor=actor, request=request, action=Action.WITHDRAWN, purpose=Purpose.SELF)
    return request


def rectification_apply(*, actor, request_id, fields: list[str], reason: str = "") -> DataSubjectRequest:
    """Apply the selected fields of a correction request through records.services.patient_rectify
    (the record's change history keeps the old values; the request keeps them too, encrypted).
    Fields not selected are refused, which needs a reason; none selected refuses the request."""
    if not policies.may_apply_rectification(actor):
        raise PermissionDenied("Your role may not apply corrections.")
    with transaction.atomic():
        request = _locked(request_id)
        if request.kind != Kind.RECTIFICATION:
            if not policies.may_work_requests(actor):
                raise Http404(NOT_FOUND_MESSAGE)
            raise ValidationError("Only a correction request has corrections to apply.")
        _require_open(request)
        if not request.identity_verified:
            raise ValidationError("The requester's identity must be verified before a correction is applied.")
        proposed = proposed_values_of(request)
        fields = list(dict.fromkeys(fields or []))
        unknown = set(fields) - set(proposed)
        if unknown:
            raise ValidationError({"fields": "Choose among the proposed corrections."})
        if len(fields) < len(proposed):
            reason = _reason(reason, "reason", "not applying every correction")
        if not fields:
            request.refusal_reason = reason
            _close(request, Status.REFUSED, Outcome.REFUSED, ["refusal_reason"])
            _step(actor=actor, request=request, action=Action.REFUSED, note=reason)
            return request
        patient = Patient.objects.get(pk=request.patient_id)
        previous = {name: getattr(patient, name) for name in fields}
        records_services.patient_rectify(
            actor=actor, patient_id=request.patient_id, data={name: proposed[name] for name in fields}
        )
        request.previous_values = _as_json(previous)
        request.applied_fields = sorted(fields)
        request.refusal_reason = reason if len(fields) < len(proposed) else ""
        outcome = Outcome.APPLIED if len(fields) == len(proposed) else Outcome.PARTLY_APPLIED
        _close(request, Status.COMPLETED, outcome, ["previous_values", "applied_fields", "refusal_reason"])
        _step(
            actor=actor,
            request=request,
            action=Action.CORRECTION_APPLIED,
            note=reason if outcome == Outcome.PARTLY_APPLIED else "",
            fields=sorted(fields),
            outcome=outcome,
        )
    return request


def restriction_lift(*, actor, request_id, reason: str) -> DataSubjectRequest:
    """Lift the restriction that a completed restriction or objection request put in place. The
    record stays restricted while another completed restriction or objection of the patient's
    has not been lifted."""
    _require_officer(actor)
    reason = _reason(reason, "reason", "lifting the restriction")
    with transaction.atomic():
        request = _locked(request_id)
        if request.kind not in RESTRICTING_KINDS or request.status != Status.COMPLETED:
            raise ValidationError("Only a completed restriction or objection request has a restriction to lift.")
        if request.events.filter(action=Action.RESTRICTION_LIFTED).exists():
            raise ValidationError("This restriction is already lifted.")
        still_restricting = (
            DataSubjectRequest.objects.filter(
                patient_id=request.patient_id, kind__in=RESTRICTING_KINDS, status=Status.COMPLETED
            )
            .exclude(pk=request.pk)
            .exclude(events__action=Action.RESTRICTION_LIFTED)
        )
        if not still_restricting.exists():
            records_services.patient_restriction_set(
                actor=actor, patient_id=request.patient_id, restricted=False, reason=reason
            )
        _step(actor=actor, request=request, action=Action.RESTRICTION_LIFTED, note=reason)
    return request


def request_due_reminders_send(*, days_before: int = REMINDER_DAYS_BEFORE, on=None) -> int:
    """E-mail each assignee of an open request due within `days_before` days (or overdue) once per
    due date: a rerun sends nothing new; an extension (a new due date) earns a new reminder. The
    mail holds the request number, its kind and the due date, nothing about the patient."""
    day = on or today()
    limit = day + datetime.timedelta(days=days_before)
    sent = 0
    candidates = DataSubjectRequest.objects.filter(
        status__in=DataSubjectRequest.OPEN_STATUSES, assignee__isnull=False, due_on__lte=limit
    ).values_list("pk", flat=True)
    for request_pk in list(candidates):
        with transaction.atomic():
            request = DataSubjectRequest.objects.select_for_update().get(pk=request_pk)
            if not request.is_open or request.assignee is None or request.reminded_for_due_on == request.due_on:
                continue
            if not request.assignee.is_active or not request.assignee.email:
                continue
            request.reminded_for_due_on = request.due_on
            request.save(update_fields=["reminded_for_due_on"])
            RequestEvent.objects.create(
                request=request,
                occurred_at=timezone.now(),
                actor=None,
                action=Action.REMINDER_SENT,
                status=request.status,
            )
            record_security_event(
                action="compliance.request_reminder",
                actor=None,
                target_user=request.assignee,
                details={"request_id": request.pk, "due_on": request.due_on.isoformat()},
            )
            email_queue(
                template="data_subject_request_due",
                recipient=request.assignee,
                context={
                    "number": request.number,
                    "kind": request.get_kind_display(),
                    "due_on": request.due_on.isoformat(),
                    "overdue": request.due_on < day,
                },
            )
            sent += 1
    return sent
