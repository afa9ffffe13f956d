"""Legal holds: placed and lifted by compliance officers, each step audited.

While a hold is active (compliance.selectors.legal_hold_active) an erasure request cannot be
approved and retention purges leave the patient alone. Lifting keeps the row.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_access
from compliance import policies
from compliance.models import LegalHold
from records.models import Patient
from records.selectors import record_id_or_404

MIN_REASON_CHARS = 10
NOT_FOUND_MESSAGE = "No legal hold with that id."


def _reason(value: str, what: str) -> str:
    value = " ".join((value or "").split())
    if len(value) < MIN_REASON_CHARS:
        raise ValidationError({"reason": f"Give the reason for {what} (at least {MIN_REASON_CHARS} characters)."})
    return value


def _audit(*, actor, hold: LegalHold, action: str) -> None:
    record_access(
        actor=actor,
        patient_id=hold.patient_id,
        record_type="legal_hold",
        action=f"legal_hold.{action}",
        purpose=AuditEvent.Purpose.ADMINISTRATION,
        record_id=hold.pk,
    )


def legal_hold_place(*, actor, patient_id, reason: str) -> LegalHold:
    if not policies.may_manage_legal_holds(actor):
        raise PermissionDenied("Only compliance officers place legal holds.")
    reason = _reason(reason, "the hold")
    with transaction.atomic():
        patient = Patient.objects.select_for_update().filter(pk=record_id_or_404(patient_id)).first()
        if patient is None:
            raise Http404("No patient with that id.")
        if LegalHold.objects.filter(patient=patient, lifted_at__isnull=True).exists():
            raise ValidationError("A legal hold is already in force on this patient.")
        hold = LegalHold(patient=patient, reason=reason, placed_by=actor, placed_at=timezone.now())
        hold.full_clean()
        hold.save()
        _audit(actor=actor, hold=hold, action="place")
    return hold


def legal_hold_lift(*, actor, hold_id, reason: str) -> LegalHold:
    if not policies.may_manage_legal_holds(actor):
        raise PermissionDenied("Only compliance officers lift legal holds.")
    reason = _reason(reason, "lifting the hold")
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().filter(pk=record_id_or_404(hold_id)).first()
        if hold is None:
            raise Http404(NOT_FOUND_MESSAGE)
        if not hold.is_active:
            raise ValidationError("This legal hold is already lifted.")
        hold.lifted_by = actor
        hold.lifted_at = timezone.now()
        hold.lift_reason = reason
        hold.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
        _audit(actor=actor, hold=hold, action="lift")
    return hold
