"""Reads of the accounting of disclosures. Compliance officers read any patient's; a patient reads
their own, for the six years the rule covers. Each read is an access event about the patient."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_access
from compliance import policies
from compliance.models import AccountingRequest, Disclosure
from compliance.models.disclosures import ACCOUNTING_PERIOD
from records.models import Patient
from records.selectors import MAX_DATABASE_ID, NOT_FOUND_MESSAGE

Purpose = AuditEvent.Purpose


@dataclass
class Accounting:
    request: AccountingRequest
    patient: Patient
    disclosures: list[Disclosure]


def _id(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND_MESSAGE) from None
    if not 0 < number <= MAX_DATABASE_ID:
        raise Http404(NOT_FOUND_MESSAGE)
    return number


def _read(user, patient_id: int, *, action: str, purpose: str, record_id=None) -> None:
    record_access(
        actor=user,
        patient_id=patient_id,
        record_type="disclosure",
        action=action,
        purpose=purpose,
        record_id=record_id,
    )


def disclosure_list_for_patient(*, user, patient_id) -> tuple[Patient, list[Disclosure]]:
    """Every disclosure of one patient's record, newest first (compliance officers)."""
    if not policies.may_handle_accountings(user):
        raise PermissionDenied("Only compliance officers read the disclosures of a patient.")
    patient = Patient.objects.filter(pk=_id(patient_id)).first()
    if patient is None:
        raise Http404(NOT_FOUND_MESSAGE)
    with transaction.atomic():
        disclosures = list(Disclosure.objects.filter(patient=patient).select_related("recorded_by"))
        _read(user, patient.pk, action="disclosure.list", purpose=Purpose.ADMINISTRATION)
    return patient, disclosures


def disclosure_list_own(*, user, now=None) -> list[Disclosure] | None:
    """The signed-in patient's disclosures of the last six years; None when no record is linked."""
    if not policies.may_see_own_disclosures(user):
        raise PermissionDenied("This page is the patients' own.")
    patient = Patient.objects.filter(user=user).first()
    if patient is None:
        return None
    since = (now or timezone.now()) - ACCOUNTING_PERIOD
    with transaction.atomic():
        disclosures = list(Disclosure.objects.filter(patient=patient, disclosed_at__gte=since))
        _read(user, patient.pk, action="disclosure.list", purpose=Purpose.SELF)
    return disclosures


def accounting_request_list(*, user) -> list[AccountingRequest]:
    """Open requests first, by what is due first; then those produced. Names no patient."""
    if not policies.may_handle_accountings(user):
        raise PermissionDenied("Only compliance officers handle accountings.")
    requests = list(AccountingRequest.objects.order_by("due_at", "id")[:500])
    return [r for r in requests if r.produced_at is None] + [r for r in requests if r.produced_at is not None]


def accounting_request_get(*, user, request_id) -> AccountingRequest:
    if not policies.may_handle_accountings(user):
        raise PermissionDenied("Only compliance officers handle accountings.")
    request = AccountingRequest.objects.filter(pk=_id(request_id)).first()
    if request is None:
        raise Http404("No accounting request with that id.")
    return request


def accounting_get(*, user, request_id) -> Accounting:
    """The accounting for a request: the patient's disclosures in the six years before the request."""
    request = accounting_request_get(user=user, request_id=request_id)
    with transaction.atomic():
        disclosures = list(
            Disclosure.objects.filter(
                patient_id=request.patient_id,
                disclosed_at__gte=request.period_start,
                disclosed_at__lte=request.requested_at,
            ).order_by("disclosed_at", "id")
        )
        _read(user, request.patient_id, action="accounting.read", purpose=Purpose.ADMINISTRATION, record_id=request.pk)
    return Accounting(request=request, patient=request.patient, disclosures=disclosures)


def own_accounting_requests(*, user) -> list[AccountingRequest]:
    if not policies.may_see_own_disclosures(user):
        return []
    return list(AccountingRequest.objects.filter(patient__user=user).order_by("-requested_at"))
