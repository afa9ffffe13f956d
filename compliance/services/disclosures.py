"""Writes of the accounting of disclosures: recording a disclosure, a patient's request for an
accounting, its one extension, and producing it. Each is an access event about the patient."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import SYSTEM_ACTOR, record_access
from compliance import policies
from compliance.models import AccountingRequest, Disclosure
from compliance.models.disclosures import ACCOUNTING_DUE, ACCOUNTING_EXTENSION
from records.models import Patient
from records.selectors import MAX_DATABASE_ID, NOT_FOUND_MESSAGE, record_denied

Purpose = AuditEvent.Purpose
MIN_EXTENSION_REASON_CHARS = 20


def _patient(actor, patient_id, *, action: str) -> Patient:
    """The patient, if `actor` may record a disclosure for them; one answer for a missing patient
    and one they may not see (a denied access event)."""
    try:
        number = int(patient_id)
    except (TypeError, ValueError):
        raise ValidationError({"patient_id": NOT_FOUND_MESSAGE}) from None
    patient = Patient.objects.filter(pk=number).first() if 0 < number <= MAX_DATABASE_ID else None
    allowed = actor == SYSTEM_ACTOR or (patient is not None and policies.may_record_disclosure(actor, patient))
    if patient is None or not allowed:
        record_denied(
            user=actor,
            patient_id=patient.pk if patient is not None else None,
            record_type="disclosure",
            action=f"disclosure.{action}",
            details={"requested_patient_id": number},
        )
        raise ValidationError({"patient_id": NOT_FOUND_MESSAGE})
    return patient


def disclosure_record(*, actor, patient_id, recipient, description, purpose, disclosed_at, recipient_address=""):
    """Record one disclosure outside treatment, payment and operations. Also the entry point of
    automatic entries (an export released to a third party), with actor=audit.services.SYSTEM_ACTOR."""
    if actor != SYSTEM_ACTOR and not policies.may_record_disclosures_at_all(actor):
        raise PermissionDenied("Your role may not record disclosures.")
    patient = _patient(actor, patient_id, action="record")
    if disclosed_at is None or disclosed_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"disclosed_at": "The date of the disclosure cannot be in the future."})
    disclosure = Disclosure(
        patient=patient,
        disclosed_at=disclosed_at,
        recipient=(recipient or "").strip(),
        recipient_address=(recipient_address or "").strip(),
        description=(description or "").strip(),
        purpose=(purpose or "").strip(),
        recorded_by=None if actor == SYSTEM_ACTOR else actor,
    )
    disclosure.full_clean()
    with transaction.atomic():
        disclosure.save()
        record_access(
            actor=actor,
            patient_id=patient.pk,
            record_type="disclosure",
            action="disclosure.record",
            purpose=Purpose.ADMINISTRATION,
            record_id=disclosure.pk,
        )
    return disclosure


def accounting_request_open(*, actor, patient_id) -> AccountingRequest:
    """A request for the accounting: made by the patient (for their own record only) or entered by
    a compliance officer for a patient who asked in writing. Due in 60 days."""
    if policies.may_see_own_disclosures(actor):
        patient = Patient.objects.filter(user=actor).first()
        if patient is None or str(patient.pk) != str(patient_id):
            raise PermissionDenied("You may request the accounting of your own record only.")
        purpose = Purpose.SELF
    elif policies.may_handle_accountings(actor):
        try:
            number = int(patient_id)
        except (TypeError, ValueError):
            raise ValidationError({"patient_id": NOT_FOUND_MESSAGE}) from None
        patient = Patient.objects.filter(pk=number).first() if 0 < number <= MAX_DATABASE_ID else None
        if patient is None:
            raise ValidationError({"patient_id": NOT_FOUND_MESSAGE})
        purpose = Purpose.ADMINISTRATION
    else:
        raise PermissionDenied("Your role may not request an accounting.")
    now = timezone.now()
    request = AccountingRequest(patient=patient, requested_at=now, requested_by=actor, due_at=now + ACCOUNTING_DUE)
    request.full_clean()
    with transaction.atomic():
        request.save()
        record_access(
            actor=actor,
            patient_id=patient.pk,
            record_type="accounting_request",
            action="accounting.request",
            purpose=purpose,
            record_id=request.pk,
        )
    return request


def _locked_request(request_id) -> AccountingRequest:
    try:
        number = int(request_id)
    except (TypeError, ValueError):
        number = 0
    request = None
    if 0 < number <= MAX_DATABASE_ID:
        request = AccountingRequest.objects.select_for_update().filter(pk=number).first()
    if request is None:
        raise ValidationError("No accounting request with that id.")
    return request


def accounting_request_extend(*, actor, request_id, reason: str) -> AccountingRequest:
    """Extend the deadline once, by 30 days, with the reason the patient is given (164.528(c)(2))."""
    if not policies.may_handle_accountings(actor):
        raise PermissionDenied("Only compliance officers handle accountings.")
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_EXTENSION_REASON_CHARS:
        raise ValidationError({"reason": "Give the reason for the delay in a full sentence."})
    with transaction.atomic():
        request = _locked_request(request_id)
        if request.extended_at is not None:
            raise ValidationError("This request was extended already: the rule allows one extension only.")
        if request.produced_at is not None:
            raise ValidationError("This accounting was produced already.")
        now = timezone.now()
        if now >= request.due_at:
            raise ValidationError("The deadline has passed: an extension must be given before it.")
        request.extended_at, request.extension_reason = now, reason
        request.due_at = request.due_at + ACCOUNTING_EXTENSION
        request.full_clean()
        request.save(update_fields=["extended_at", "extension_reason", "due_at"])
        record_access(
            actor=actor,
            patient_id=request.patient_id,
            record_type="accounting_request",
            action="accounting.extend",
            purpose=Purpose.ADMINISTRATION,
            record_id=request.pk,
        )
    return request


def accounting_mark_produced(*, actor, request_id) -> AccountingRequest:
    if not policies.may_handle_accountings(actor):
        raise PermissionDenied("Only compliance officers handle accountings.")
    with transaction.atomic():
        request = _locked_request(request_id)
        if request.produced_at is not None:
            raise ValidationError("This accounting was produced already.")
        request.produced_at, request.produced_by = timezone.now(), actor
        request.save(update_fields=["produced_at", "produced_by"])
        record_access(
            actor=actor,
            patient_id=request.patient_id,
            record_type="accounting_request",
            action="accounting.produce",
            purpose=Purpose.ADMINISTRATION,
            record_id=request.pk,
        )
    return request
