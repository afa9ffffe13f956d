"""Every read of data-subject requests and legal holds, scoped by compliance.policies.

A request or hold the user may not see (another patient's, a forged id) raises Http404 exactly as
a missing one does. Reads that show a patient's request leave an access event naming the patient.
"""

import datetime

from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from audit.models import AuditEvent
from audit.services import record_access
from compliance import policies
from compliance.models import DataSubjectRequest, LegalHold
from records.selectors import portal_patient_get, record_id_or_404

NOT_FOUND_MESSAGE = "No request with that number."
Purpose = AuditEvent.Purpose


def legal_hold_active(patient_id) -> bool:
    """Is a legal hold in force on this patient? Erasure and retention purges refuse while it is."""
    return LegalHold.objects.filter(patient_id=patient_id, lifted_at__isnull=True).exists()


def today() -> datetime.date:
    return timezone.localdate(timezone.now())


def request_queue(
    *, user, status: str = "", kind: str = "", assignee_id=None, overdue: bool = False, limit: int = 200
) -> list[DataSubjectRequest]:
    """The compliance officers' queue: open requests unless a status is asked for, overdue ones
    first, then by due date. The access event names the patients listed."""
    if not policies.may_work_requests(user):
        return []
    day = today()
    queryset: QuerySet = DataSubjectRequest.objects.select_related("patient", "assignee")
    queryset = (
        queryset.filter(status=status) if status else queryset.filter(status__in=DataSubjectRequest.OPEN_STATUSES)
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    if assignee_id:
        queryset = queryset.filter(assignee_id=assignee_id)
    overdue_q = Q(status__in=DataSubjectRequest.OPEN_STATUSES, due_on__lt=day)
    if overdue:
        queryset = queryset.filter(overdue_q)
    queryset = queryset.annotate(
        overdue_rank=Case(When(overdue_q, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("overdue_rank", "due_on", "id")
    with transaction.atomic():
        requests = list(queryset[:limit])
        record_access(
            actor=user,
            patient_id=None,
            record_type="data_subject_request",
            action="dsr.list",
            purpose=Purpose.ADMINISTRATION,
            details={"patient_ids": sorted({request.patient_id for request in requests})},
        )
    return requests


def request_get(*, user, request_id) -> DataSubjectRequest:
    """One request with its patient, for a compliance officer; Http404 for anyone else."""
    if not policies.may_work_requests(user):
        raise Http404(NOT_FOUND_MESSAGE)
    queryset = DataSubjectRequest.objects.select_related("patient", "assignee", "opened_by", "identity_verified_by")
    request = queryset.filter(pk=record_id_or_404(request_id)).first()
    if request is None:
        raise Http404(NOT_FOUND_MESSAGE)
    with transaction.atomic():
        record_access(
            actor=user,
            patient_id=request.patient_id,
            record_type="data_subject_request",
            action="dsr.read",
            purpose=Purpose.ADMINISTRATION,
            record_id=request.pk,
        )
    return request


def own_request_list(*, user) -> list[DataSubjectRequest]:
    """A patient's own requests, newest first (none for anyone else)."""
    patient = portal_patient_get(user=user)
    if patient is None:
        return []
    with transaction.atomic():
        requests = list(DataSubjectRequest.objects.filter(patient=patient).order_by("-created_at", "-id"))
        record_access(
            actor=user,
            patient_id=patient.pk,
            record_type="data_subject_request",
            action="dsr.list",
            purpose=Purpose.SELF,
        )
    return requests


def own_request_get(*, user, request_id) -> DataSubjectRequest:
    """One of the patient's own requests; another patient's or a missing one is the same 404."""
    patient = portal_patient_get(user=user)
    request_pk = record_id_or_404(request_id)
    request = DataSubjectRequest.objects.filter(patient=patient, pk=request_pk).first() if patient else None
    if request is None:
        raise Http404(NOT_FOUND_MESSAGE)
    with transaction.atomic():
        record_access(
            actor=user,
            patient_id=patient.pk,
            record_type="data_subject_request",
            action="dsr.read",
            purpose=Purpose.SELF,
            record_id=request.pk,
        )
    return request


def request_history(request: DataSubjectRequest) -> list:
    """The steps of a request the caller has already read (request_get / own_request_get)."""
    return list(request.events.select_related("actor").order_by("occurred_at", "id"))


def assignable_officers() -> QuerySet[User]:
    return User.objects.filter(groups__name=Role.COMPLIANCE.value, is_active=True).order_by("id")


def legal_hold_list(*, user, include_lifted: bool = False) -> list[LegalHold]:
    if not policies.may_manage_legal_holds(user):
        return []
    queryset = LegalHold.objects.select_related("patient", "placed_by", "lifted_by")
    if not include_lifted:
        queryset = queryset.filter(lifted_at__isnull=True)
    with transaction.atomic():
        holds = list(queryset[:500])
        record_access(
            actor=user,
            patient_id=None,
            record_type="legal_hold",
            action="legal_hold.list",
            purpose=Purpose.ADMINISTRATION,
            details={"patient_ids": sorted({hold.patient_id for hold in holds})},
        )
    return holds
