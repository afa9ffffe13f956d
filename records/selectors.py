"""Every read of patient data. Each one is scoped by records.policies and leaves an access event.

A patient the user may not see raises Http404, exactly as a missing one does; the attempt is
recorded as a denied access event (outside the caller's transaction, so it survives the 404).
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from audit.models import AuditEvent
from audit.services import record_access
from records import policies
from records.blind_index import blind_indexes
from records.fields import decrypt_bytes
from records.models import Appointment, BreakGlassAccess, CareTeamMembership, ClinicalNote, Document, Encounter, Patient
from records.record_types import RECORD_TYPES, record_type_for
from records.storage import read_document_file

NOT_FOUND_MESSAGE = "No patient or record with that id."


# The largest id a database row can have (a signed 64-bit integer): a larger one in a URL or body
# is missing without asking the database, whose driver would overflow on it.
MAX_DATABASE_ID = 2**63 - 1


def record_denied(*, user, patient_id, record_type: str, action: str, details: dict | None = None) -> None:
    """Audit a refused read or write of patient data."""
    record_access(
        actor=user,
        patient_id=patient_id,
        record_type=record_type,
        action=action,
        purpose="",
        outcome=AuditEvent.Outcome.DENIED,
        details=details,
    )


def patient_for(*, user, patient_id, record_type: str = "patient", action: str = "read") -> tuple[Patient, str]:
    """The patient (if `user` may see them) and the purpose; Http404 otherwise, as for a missing id.

    A missing id does the same work as a hidden patient, so that neither the answer nor the time
    it takes tells them apart: the policy is asked about the id (the same queries) and the attempt
    is a denied access event, which names no patient (the id asked for is in its details)."""
    try:
        patient_id = int(patient_id)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND_MESSAGE) from None
    # One patient: the policy's per-patient checks (indexed lookups), not the visible_patients()
    # queryset, whose care-team subquery grows with the size of the clinician's panel.
    in_range = 0 < patient_id <= MAX_DATABASE_ID
    patient = Patient.objects.filter(pk=patient_id).first() if in_range else None
    purpose = policies.purpose_for(user, patient or Patient(pk=patient_id)) if in_range else None
    if patient is None or purpose is None:
        record_denied(
            user=user,
            patient_id=patient.pk if patient is not None else None,
            record_type=record_type,
            action=f"{record_type}.{action}",
            details={"requested_patient_id": patient_id},
        )
        raise Http404(NOT_FOUND_MESSAGE)
    return patient, purpose


def _require_read(user, purpose: str, record_type: str, patient: Patient) -> None:
    if not policies.can_read(user, purpose, record_type):
        record_denied(user=user, patient_id=patient.pk, record_type=record_type, action=f"{record_type}.read")
        raise PermissionDenied("Your role may not read this kind of record.")


def patient_search(*, user, terms: dict, offset: int = 0, limit: int = 50) -> tuple[list[Patient], int]:
    """Patients the user may see matching every given term exactly (blind indexes), one page of
    them and the total. The access event names the patients returned."""
    queryset = policies.visible_patients(user)
    for name, value in terms.items():
        if name not in Patient.SEARCHABLE_FIELDS or value in (None, ""):
            continue
        queryset = queryset.filter(**{f"{name}_index__in": blind_indexes(name, value)})
    with transaction.atomic():
        total = queryset.count()
        patients = list(queryset.order_by("id")[offset : offset + limit])
        record_access(
            actor=user,
            patient_id=None,
            record_type="patient",
            action="patient.search" if any(terms.values()) else "patient.list",
            purpose=_list_purpose(user),
            details={
                "patient_ids": [patient.pk for patient in patients],
                "terms": sorted(name for name, value in terms.items() if value),
            },
        )
    return patients, total


def _list_purpose(user) -> str:
    role = policies.role_of(user)
    if role is Role.RECEPTIONIST:
        return policies.Purpose.ADMINISTRATION
    if role is Role.PATIENT:
        return policies.Purpose.SELF
    return policies.Purpose.CARE_TEAM


def portal_patient_get(*, user) -> Patient | None:
    """The record linked to a patient's portal account; None for anyone else or when no record is
    linked. Not an access event: callers audit what they then read or change of it."""
    if policies.role_of(user) is not Role.PATIENT:
        return None
    return Patient.objects.filter(user=user).first()


def patient_get(*, user, patient_id) -> tuple[Patient, str]:
    patient, purpose = patient_for(user=user, patient_id=patient_id)
    with transaction.atomic():
        record_access(actor=user, patient_id=patient.pk, record_type="patient", action="patient.read", purpose=purpose)
    return patient, purpose


def patient_identity_get(*, user, patient_id) -> Patient:
    """A patient's demographics for a compliance officer handling a data-subject request or a
    legal hold: who they are, never their clinical records (the officer sees no patient through
    visible_patients). Http404 for anyone else and for a missing id, both recorded as denied."""
    try:
        patient_id = int(patient_id)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND_MESSAGE) from None
    in_range = 0 < patient_id <= MAX_DATABASE_ID
    patient = Patient.objects.filter(pk=patient_id).first() if in_range else None
    if patient is None or not policies.handles_data_subject_requests(user):
        record_denied(
            user=user,
            patient_id=patient.pk if patient is not None else None,
            record_type="patient",
            action="patient.identity_read",
            details={"requested_patient_id": patient_id},
        )
        raise Http404(NOT_FOUND_MESSAGE)
    with transaction.atomic():
        record_access(
            actor=user,
            patient_id=patient.pk,
            record_type="patient",
            action="patient.identity_read",
            purpose=policies.Purpose.ADMINISTRATION,
        )
    return patient


def patient_identity_find(*, user, mrn: str) -> Patient | None:
    """The patient with this medical record number, for a compliance officer (as
    patient_identity_get); None when there is none. PermissionDenied for other roles."""
    if not policies.handles_data_subject_requests(user):
        raise PermissionDenied("Only compliance officers look patients up here.")
    patient = Patient.objects.filter(mrn_index__in=blind_indexes("mrn", mrn or "")).first()
    if patient is None:
        return None
    return patient_identity_get(user=user, patient_id=patient.pk)


def _records_queryset(record_type, patient: Patient, purpose: str):
    model = record_type.model
    queryset = model.objects.filter(patient=patient)
    if model is ClinicalNote and purpose == policies.Purpose.SELF:
        # Patients read what has been signed, not work in progress.
        queryset = queryset.filter(status=ClinicalNote.Status.SIGNED)
    return queryset


def record_list(*, user, patient_id, record_type_name: str) -> tuple[Patient, list]:
    record_type = record_type_for(record_type_name)
    patient, purpose = patient_for(user=user, patient_id=patient_id, record_type=record_type.audit_type)
    _require_read(user, purpose, record_type.audit_type, patient)
    with transaction.atomic():
        records = list(_records_queryset(record_type, patient, purpose))
        record_access(
            actor=user,
            patient_id=patient.pk,
            record_type=record_type.audit_type,
            action=f"{record_type.audit_type}.list",
            purpose=purpose,
            details={"record_ids": [record.pk for record in records]},
        )
    return patient, records


def record_get(*, user, patient_id, record_type_name: str, record_id):
    record_type = record_type_for(record_type_name)
    patient, purpose = patient_for(user=user, patient_id=patient_id, record_type=record_type.audit_type)
    _require_read(user, purpose, record_type.audit_type, patient)
    with transaction.atomic():
        record = _records_queryset(record_type, patient, purpose).filter(pk=record_id_or_404(record_id)).first()
        if record is None:
            raise Http404(NOT_FOUND_MESSAGE)
        record_access(
            actor=user,
            patient_id=patient.pk,
            record_type=record_type.audit_type,
            action=f"{record_type.audit_type}.read",
            purpose=purpose,
            record_id=record.pk,
        )
    return record


def record_id_or_404(value) -> int:
    """An id from a URL or body; anything that is not one answers like a missing record."""
    try:
        record_id = int(value)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND_MESSAGE) from None
    if not 0 < record_id <= MAX_DATABASE_ID:
        raise Http404(NOT_FOUND_MESSAGE)
    return record_id


@dataclass
class Chart:
    patient: Patient
    purpose: str
    sections: dict = field(default_factory=dict)
    care_team: list = field(default_factory=list)
    documents: list = field(default_factory=list)
    break_glass: BreakGlassAccess | None = None


def patient_chart(*, user, patient_id) -> Chart:
    """Everything the user may read about a patient, in one audited read ("chart.read").

    A fixed number of queries whatever the size of the record (one per section)."""
    patient, purpose = patient_for(user=user, patient_id=patient_id, record_type="chart")
    with transaction.atomic():
        chart = Chart(patient=patient, purpose=purpose)
        for name, record_type in RECORD_TYPES.items():
            if policies.can_read(user, purpose, record_type.audit_type):
                chart.sections[name] = list(_records_queryset(record_type, patient, purpose))
        if policies.can_read(user, purpose, "care_team"):
            chart.care_team = list(
                CareTeamMembership.objects.filter(patient=patient).select_related("member").order_by("-started_at")
            )
        if policies.can_read(user, purpose, "document"):
            chart.documents = list(Document.objects.filter(patient=patient).select_related("uploaded_by"))
        if purpose == policies.Purpose.BREAK_THE_GLASS:
            chart.break_glass = policies.active_break_glass(user, patient)
        record_access(
            actor=user,
            patient_id=patient.pk,
            record_type="chart",
            action="chart.read",
            purpose=purpose,
            details={"sections": sorted([*chart.sections, *(["documents"] if chart.documents else [])])},
        )
    return chart


def care_team_list(*, user, patient_id) -> tuple[Patient, list[CareTeamMembership]]:
    patient, purpose = patient_for(user=user, patient_id=patient_id, record_type="care_team")
    _require_read(user, purpose, "care_team", patient)
    with transaction.atomic():
        memberships = list(CareTeamMembership.objects.filter(patient=patient).select_related("member"))
        record_access(
            actor=user, patient_id=patient.pk, record_type="care_team", action="care_team.list", purpose=purpose
        )
    return patient, memberships


def document_list(*, user, patient_id) -> list[Document]:
    patient, purpose = patient_for(user=user, patient_id=patient_id, record_type="document")
    _require_read(user, purpose, "document", patient)
    with transaction.atomic():
        documents = list(Document.objects.filter(patient=patient))
        record_access(
            actor=user,
            patient_id=patient.pk,
            record_type="document",
            action="document.list",
            purpose=purpose,
            details={"record_ids": [document.pk for document in documents]},
        )
    return documents


def document_download(*, user, patient_id, document_id) -> tuple[Document, bytes]:
    """The document and its decrypted content, after the access check; the download is audited."""
    patient, purpose = patient_for(user=user, patient_id=patient_id, record_type="document", action="download")
    _require_read(user, purpose, "document", patient)
    with transaction.atomic():
        document = Document.objects.filter(patient=patient, pk=record_id_or_404(document_id)).first()
        if document is None:
            raise Http404(NOT_FOUND_MESSAGE)
        content = decrypt_bytes(read_document_file(document.storage_name))
        record_access(
            actor=user,
            patient_id=patient.pk,
            record_type="document",
            action="document.download",
            purpose=purpose,
            record_id=document.pk,
        )
    return document, content


def break_glass_review_list(*, user, status: str | None = None):
    if not policies.may_review_break_glass(user):
        raise PermissionDenied("Only compliance officers review break-the-glass accesses.")
    queryset = BreakGlassAccess.objects.select_related("user", "reviewed_by").order_by("-started_at")
    if status:
        queryset = queryset.filter(review_status=status)
    return queryset


def patient_access_history(*, user) -> list[dict]:
    """For a patient in the portal: who opened their record and when (staff role and name only)."""
    patient = portal_patient_get(user=user)
    if patient is None:
        raise Http404(NOT_FOUND_MESSAGE)
    events = list(
        AuditEvent.objects.filter(
            patient_id=patient.pk, category=AuditEvent.Category.ACCESS, outcome=AuditEvent.Outcome.SUCCESS
        )
        .exclude(actor_id=user.pk)
        .exclude(actor_role=Role.PATIENT.value)
        .exclude(actor_id__isnull=True)
        .order_by("-occurred_at")[:200]
    )
    names = dict(User.objects.filter(pk__in={event.actor_id for event in events}).values_list("pk", "full_name"))
    return [
        {
            "occurred_at": event.occurred_at,
            "staff_name": names.get(event.actor_id) or "A staff member",
            "staff_role": event.actor_role,
            "what": event.record_type,
            "purpose": event.purpose,
        }
        for event in events
    ]


def appointments_today(*, user) -> list:
    """Today's appointments (UTC day): all of them for a receptionist, a clinician's own for a
    doctor or nurse (of patients they may see). The access event names the patients."""
    role = policies.role_of(user)
    if role not in (Role.RECEPTIONIST, *policies.CLINICAL_ROLES):
        raise PermissionDenied("Your role has no appointment list.")
    start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    queryset = Appointment.objects.filter(
        starts_at__gte=start,
        starts_at__lt=start + timezone.timedelta(days=1),
        patient__in=policies.visible_patients(user),
    ).select_related("patient", "clinician")
    if role in policies.CLINICAL_ROLES:
        queryset = queryset.filter(clinician=user)
    with transaction.atomic():
        appointments = list(queryset.order_by("starts_at", "id")[:500])
        record_access(
            actor=user,
            patient_id=None,
            record_type="appointment",
            action="appointment.list_today",
            purpose=_list_purpose(user),
            details={"patient_ids": sorted({appointment.patient_id for appointment in appointments})},
        )
    return appointments


def clinician_list() -> QuerySet[User]:
    """Active doctors and nurses, the choices for a care-team member or an appointment's clinician.
    Staff accounts, no patient data: the same for every user, so the API can build its fields once."""
    return User.objects.filter(is_active=True, groups__name__in=[Role.DOCTOR.value, Role.NURSE.value]).distinct()


def encounter_choice_list(*, user, patient) -> QuerySet[Encounter]:
    """The encounters of `patient` a record may refer to, none if `user` may not see the patient.
    A lazy queryset for a form or serializer field (the choices show encounter ids only)."""
    return Encounter.objects.filter(patient=patient, patient__in=policies.visible_patients(user))
