"""Every write of patient data: `<entity>_<action>(*, actor, ...)`.

Each service checks access through records.policies before it touches anything (a patient the
actor may not see raises Http404, as a missing one does; a forbidden action raises
PermissionDenied; both leave a denied access event), then validates (full_clean), writes and
records the access event in one transaction. django-auditlog's change rows get the actor and
client IP from here, whatever the entry point (page, API with a JWT, command).
"""

import secrets
from contextlib import contextmanager
from datetime import timedelta

from auditlog.context import set_actor
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services.emails import email_queue
from audit.models import AuditEvent
from audit.services import record_access, record_security_event
from core.request_context import current_context
from records import policies
from records.blind_index import blind_index, blind_indexes
from records.fields import encrypt_bytes
from records.models import BreakGlassAccess, CareTeamMembership, ClinicalNote, Document, Observation, Patient
from records.record_types import record_type_for
from records.selectors import NOT_FOUND_MESSAGE, patient_for, portal_patient_get, record_denied, record_id_or_404
from records.storage import delete_document_file, new_storage_name, write_document_file

Purpose = AuditEvent.Purpose
Outcome = AuditEvent.Outcome

DEMOGRAPHIC_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "gender",
    "email",
    "phone",
    "address",
    "national_id",
    "emergency_contact",
    "preferred_language",
    "status",
)
BREAK_GLASS_MIN_REASON_CHARS = 20
BREAK_GLASS_MIN_REASON_WORDS = 4

DOCUMENT_SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}


@contextmanager
def _write(actor):
    """One transaction, with django-auditlog's actor and client IP set for the rows it writes."""
    context = current_context()
    with set_actor(actor, remote_addr=context.client_ip if context else None), transaction.atomic():
        yield


def authorize_write(*, actor, patient_id, permission: str, record_type: str, action: str) -> tuple[Patient, str]:
    """The patient and purpose if `actor` may use `permission` on them: Http404 if they cannot see
    the patient, PermissionDenied if they may not do this. Views call it before validating input,
    so that a refusal is a refusal whatever the body; every service calls it again."""
    patient, purpose = patient_for(user=actor, patient_id=patient_id, record_type=record_type, action=action)
    if not policies.can_write(actor, purpose, permission):
        record_denied(user=actor, patient_id=patient.pk, record_type=record_type, action=f"{record_type}.{action}")
        raise PermissionDenied("Your role may not do this for this patient.")
    return patient, purpose


def _set_blind_indexes(patient: Patient) -> None:
    for name in Patient.SEARCHABLE_FIELDS:
        setattr(patient, f"{name}_index", blind_index(name, getattr(patient, name)))


def _new_mrn() -> str:
    while True:
        mrn = f"MRN{secrets.randbelow(10**8):08d}"
        if not Patient.objects.filter(mrn_index__in=blind_indexes("mrn", mrn)).exists():
            return mrn


def patient_register(*, actor, data: dict) -> Patient:
    if not policies.may_register_patient(actor):
        raise PermissionDenied("Your role may not register patients.")
    unknown = set(data) - set(DEMOGRAPHIC_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in sorted(unknown)})
    patient = Patient(**data)
    patient.mrn = _new_mrn()
    _set_blind_indexes(patient)
    patient.full_clean()
    with _write(actor):
        patient.save()
        record_access(
            actor=actor,
            patient_id=patient.pk,
            record_type="patient",
            action="patient.create",
            purpose=Purpose.ADMINISTRATION,
            record_id=patient.pk,
        )
    return patient


def patient_update(*, actor, patient_id, data: dict) -> Patient:
    patient, purpose = authorize_write(
        actor=actor, patient_id=patient_id, permission="records.change_patient", record_type="patient", action="update"
    )
    unknown = set(data) - set(DEMOGRAPHIC_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in sorted(unknown)})
    return _save_patient_fields(actor=actor, patient=patient, purpose=purpose, data=data)


def patient_update_contact(*, actor, data: dict) -> Patient:
    """A patient changes their own contact details in the portal; nothing else."""
    patient = portal_patient_get(user=actor)
    if patient is None:
        raise Http404(NOT_FOUND_MESSAGE)
    unknown = set(data) - set(policies.PATIENT_CONTACT_FIELDS)
    if unknown:
        raise ValidationError({name: "You cannot change this here." for name in sorted(unknown)})
    return _save_patient_fields(actor=actor, patient=patient, purpose=Purpose.SELF, data=data)


def patient_rectify(*, actor, patient_id, data: dict) -> Patient:
    """Apply a patient's correction request (GDPR Art. 16): only the fields a patient may ask to
    correct (policies.PATIENT_RECTIFIABLE_FIELDS), by a compliance officer or a receptionist.
    The previous values stay in the record's change history and with the request."""
    if not policies.may_rectify(actor):
        raise PermissionDenied("Your role may not apply corrections.")
    unknown = set(data) - set(policies.PATIENT_RECTIFIABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be corrected here." for name in sorted(unknown)})
    patient = Patient.objects.filter(pk=record_id_or_404(patient_id)).first()
    if patient is None:
        raise Http404(NOT_FOUND_MESSAGE)
    return _save_patient_fields(actor=actor, patient=patient, purpose=Purpose.ADMINISTRATION, data=data)


def patient_restriction_set(*, actor, patient_id, restricted: bool, reason: str) -> Patient:
    """Restrict (or lift the restriction of) the processing of a patient's data, on a
    data-subject request (GDPR Art. 18, 21): compliance officers only. The reason is kept
    encrypted on the record; the audit event names the patient and the change, not the reason."""
    if not policies.handles_data_subject_requests(actor):
        raise PermissionDenied("Only compliance officers restrict processing.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason."})
    with _write(actor):
        patient = Patient.objects.select_for_update().filter(pk=record_id_or_404(patient_id)).first()
        if patient is None:
            raise Http404(NOT_FOUND_MESSAGE)
        patient.processing_restricted = restricted
        patient.processing_restricted_at = timezone.now() if restricted else None
        patient.processing_restriction_reason = reason if restricted else ""
        patient.full_clean()
        patient.save(
            update_fields=[
                "processing_restricted",
                "processing_restricted_at",
                "processing_restriction_reason",
                "updated_at",
            ]
        )
        record_access(
            actor=actor,
            patient_id=patient.pk,
            record_type="patient",
            action="patient.restrict" if restricted else "patient.restriction_lift",
            purpose=Purpose.ADMINISTRATION,
            record_id=patient.pk,
            details={"restricted": restricted},
        )
    return patient


def _save_patient_fields(*, actor, patient: Patient, purpose: str, data: dict) -> Patient:
    for name, value in data.items():
        setattr(patient, name, value)
    _set_blind_indexes(patient)
    patient.full_clean()
    changed = [*data, *(f"{name}_index" for name in Patient.SEARCHABLE_FIELDS if name in data), "updated_at"]
    with _write(actor):
        patient.save(update_fields=changed)
        record_access(
            actor=actor,
            patient_id=patient.pk,
            record_type="patient",
            action="patient.update",
            purpose=purpose,
            record_id=patient.pk,
            details={"fields": sorted(data)},
        )
    return patient


def care_team_add(*, actor, patient_id, member, team_role: str, started_at=None) -> CareTeamMembership:
    patient, purpose = authorize_write(
        actor=actor,
        patient_id=patient_id,
        permission="records.add_careteammembership",
        record_type="care_team",
        action="add",
    )
    if not isinstance(member, User) or not member.is_active or policies.role_of(member) is not Role(team_role):
        raise ValidationError({"member": "Choose an active doctor or nurse whose role matches the team role."})
    membership = CareTeamMembership(
        patient=patient, member=member, team_role=team_role, started_at=started_at or timezone.now(), added_by=actor
    )
    membership.full_clean()
    with _write(actor):
        membership.save()
        record_access(
            actor=actor,
            patient_id=patient.pk,
            record_type="care_team",
            action="care_team.add",
            purpose=purpose,
            record_id=membership.pk,
            details={"member_id": member.pk, "team_role": team_role},
        )
    return membership


def care_team_end(*, actor, patient_id, membership_id) -> CareTeamMembership:
    """End a membership: the reception any, a doctor only their own (policies.can_end_membership).
    A refusal is a denied access event written after the transaction, so that it is kept."""
    patient, purpose = authorize_write(
        actor=actor,
        patient_id=patient_id,
        permission="records.change_careteammembership",
        record_type="care_team",
        action="end",
    )
    with _write(actor):
        membership = (
            CareTeamMembership.objects.select_for_update()
            .filter(patient=patient, pk=record_id_or_404(membership_id))
            .first()
        )
        if membership is None:
            raise Http404(NOT_FOUND_MESSAGE)
        allowed = policies.can_end_membership(actor, purpose, membership)
        if allowed:
            if membership.ended_at is None:
                membership.ended_at = timezone.now()
                membership.save(update_fields=["ended_at"])
            record_access(
                actor=actor,
                patient_id=patient.pk,
                record_type="care_team",
                action="care_team.end",
                purpose=purpose,
                record_id=membership.pk,
                details={"member_id": membership.member_id},
            )
    if not allowed:
        record_denied(user=actor, patient_id=patient.pk, record_type="care_team", action="care_team.end")
        raise PermissionDenied("Only the reception ends another member's care-team membership.")
    return membership


def record_create(*, actor, patient_id, record_type_name: str, data: dict):
    """Create a record of the chart (encounter, note, condition, medication, allergy, observation,
    appointment) from validated `data`. Who wrote it is the actor, never the input."""
    record_type = record_type_for(record_type_name)
    patient, purpose = authorize_write(
        actor=actor,
        patient_id=patient_id,
        permission=record_type.add_permission,
        record_type=record_type.audit_type,
        action="create",
    )
    record = record_type.model(patient=patient, **data)
    if record_type.actor_field:
        setattr(record, record_type.actor_field, actor)
    if isinstance(record, ClinicalNote):
        if record.kind not in policies.note_kinds_for(actor):
            raise ValidationError({"kind": "Your role may not write this kind of note."})
        record.status = ClinicalNote.Status.DRAFT
        record.amends = None
    if isinstance(record, Observation):
        record.abnormal = record.is_outside_reference_range()
    if record_type.name == "appointments" and policies.role_of(getattr(record, "clinician", None)) not in (
        policies.CLINICAL_ROLES
    ):
        raise ValidationError({"clinician": "Choose a doctor or nurse."})
    record.full_clean()
    with _write(actor):
        record.save()
        record_access(
            actor=actor,
            patient_id=patient.pk,
            record_type=record_type.audit_type,
            action=f"{record_type.audit_type}.create",
            purpose=purpose,
            record_id=record.pk,
        )
    return record


def record_update(*, actor, patient_id, record_type_name: str, record_id, data: dict):
    record_type = record_type_for(record_type_name)
    is_note = record_type.model is ClinicalNote
    patient, purpose = authorize_write(
        actor=actor,
        patient_id=patient_id,
        permission=policies.record_edit_permission(record_type),
        record_type=record_type.audit_type,
        action="update",
    )
    with _write(actor):
        record = (
            record_type.model.objects.select_for_update()
            .filter(patient=patient, pk=record_id_or_404(record_id))
            .first()
        )
        if record is None:
            raise Http404(NOT_FOUND_MESSAGE)
        if is_note and record.is_signed:
            raise ValidationError("A signed note cannot be changed; add an amendment instead.")
        if not policies.can_edit_record(actor, purpose, record_type, record):
            raise PermissionDenied("Only the author may change a draft note.")
        if is_note and "kind" in data and data["kind"] not in policies.note_kinds_for(actor):
            raise ValidationError({"kind": "Your role may not write this kind of note."})
        for name, value in data.items():
            setattr(record, name, value)
        changed = list(data)
        if isinstance(record, Observation):
            record.abnormal = record.is_outside_reference_range()
            changed.append("abnormal")
        record.full_clean()
        record.save(update_fields=changed)
        record_access(
            actor=actor,
            patient_id=patient.pk,
            record_type=record_type.audit_type,
            action=f"{record_type.audit_type}.update",
            purpose=purpose,
            record_id=record.pk,
            details={"fields": sorted(data)},
        )
    return record


def note_sign(*, actor, patient_id, note_id) -> ClinicalNote:
    """Sign a draft. Who may write notes at all is checked before the note is looked up, so that a
    caller who may not (a receptionist, the patient) gets the same 403 for a draft, a signed note
    and a missing id; a clinician of the care team then learns which it is."""
    patient, purpose = authorize_write(
        actor=actor,
        patient_id=patient_id,
        permission="records.add_clinicalnote",
        record_type="clinical_note",
        action="sign",
    )
    with _write(actor):
        note = ClinicalNote.objects.select_for_update().filter(patient=patient, pk=record_id_or_404(note_id)).first()
        if note is None:
            raise Http404(NOT_FOUND_MESSAGE)
        if note.is_signed:
            raise ValidationError("This note is already signed.")
        if not policies.can_sign_note(actor, purpose, note):
            raise PermissionDenied("You may not sign this note.")
        note.status = ClinicalNote.Status.SIGNED
        note.signed_at = timezone.now()
        note.signed_by = actor
        note.save(update_fields=["status", "signed_at", "signed_by"])
        record_access(
            actor=actor,
            patient_id=patient.pk,
            record_type="clinical_note",
            action="clinical_note.sign",
            purpose=purpose,
            record_id=note.pk,
        )
    return note


def note_amend(*, actor, patient_id, note_id, body: str) -> ClinicalNote:
    """A draft amendment of a signed note; the original stays exactly as signed."""
    patient, purpose = authorize_write(
        actor=actor,
        patient_id=patient_id,
        permission="records.add_clinicalnote",
        record_type="clinical_note",
        action="amend",
    )
    original = ClinicalNote.objects.filter(patient=patient, pk=record_id_or_404(note_id)).first()
    if original is None:
        raise Http404(NOT_FOUND_MESSAGE)
    if not original.is_signed:
        raise ValidationError("Only a signed note is amended; change the draft instead.")
    if not policies.can_amend_note(actor, purpose, original):
        raise PermissionDenied("Your role may not amend this kind of note.")
    amendment = ClinicalNote(
        patient=patient,
        encounter=original.encounter,
        author=actor,
        kind=original.kind,
        body=body,
        amends=original,
    )
    amendment.full_clean()
    with _write(actor):
        amendment.save()
        record_access(
            actor=actor,
            patient_id=patient.pk,
            record_type="clinical_note",
            action="clinical_note.amend",
            purpose=purpose,
            record_id=amendment.pk,
            details={"amends": original.pk},
        )
    return amendment


def sniff_content_type(head: bytes) -> str | None:
    for content_type, signatures in DOCUMENT_SIGNATURES.items():
        if any(head.startswith(signature) for signature in signatures):
            return content_type
    return None


def document_upload(*, actor, patient_id, title: str, kind: str, uploaded_file) -> Document:
    """Check size and type (by content), encrypt, write outside the web root, then record it.
    A refused upload leaves no file and no row."""
    patient, purpose = authorize_write(
        actor=actor, patient_id=patient_id, permission="records.add_document", record_type="document", action="upload"
    )
    if uploaded_file.size > settings.DOCUMENT_MAX_BYTES:
        limit = settings.DOCUMENT_MAX_BYTES // (1024 * 1024) or 1
        raise ValidationError({"file": f"The file is larger than the {limit} MB limit."})
    content = uploaded_file.read(settings.DOCUMENT_MAX_BYTES + 1)
    if len(content) > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError({"file": "The file is larger than the limit."})
    content_type = sniff_content_type(content[:16])
    if content_type is None:
        raise ValidationError({"file": "Only PDF, PNG and JPEG files are accepted."})
    document = Document(
        patient=patient,
        title=title,
        kind=kind,
        content_type=content_type,
        size=len(content),
        storage_name=new_storage_name(),
        uploaded_by=actor,
    )
    document.full_clean()
    write_document_file(document.storage_name, encrypt_bytes(content))
    try:
        with _write(actor):
            document.save()
            record_access(
                actor=actor,
                patient_id=patient.pk,
                record_type="document",
                action="document.upload",
                purpose=purpose,
                record_id=document.pk,
            )
    except BaseException:
        delete_document_file(document.storage_name)
        raise
    return document


def document_delete(*, actor, patient_id, document_id) -> None:
    patient, purpose = authorize_write(
        actor=actor,
        patient_id=patient_id,
        permission="records.delete_document",
        record_type="document",
        action="delete",
    )
    with _write(actor):
        document = (
            Document.objects.select_for_update().filter(patient=patient, pk=record_id_or_404(document_id)).first()
        )
        if document is None:
            raise Http404(NOT_FOUND_MESSAGE)
        storage_name, document_pk = document.storage_name, document.pk
        document.delete()
        record_access(
            actor=actor,
            patient_id=patient.pk,
            record_type="document",
            action="document.delete",
            purpose=purpose,
            record_id=document_pk,
        )
        transaction.on_commit(lambda: delete_document_file(storage_name))


def validate_break_glass_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if len(reason) < BREAK_GLASS_MIN_REASON_CHARS or len(reason.split(" ")) < BREAK_GLASS_MIN_REASON_WORDS:
        raise ValidationError(
            {"reason": "Give the reason in at least a full sentence (four words, twenty characters)."}
        )
    return reason


def break_glass_open(*, actor, mrn: str, reason: str) -> BreakGlassAccess:
    """Emergency read access for a doctor or nurse outside the patient's care team, found by MRN.

    Recorded as a security event and e-mailed to every compliance officer (no PHI in either:
    the patient's id, the user and the time; the reason stays in the encrypted row)."""
    if not policies.may_break_glass(actor):
        raise PermissionDenied("Only doctors and nurses may use break-the-glass access.")
    reason = validate_break_glass_reason(reason)
    patient = Patient.objects.filter(mrn_index__in=blind_indexes("mrn", mrn or "")).first()
    if patient is None:
        raise ValidationError({"mrn": "No patient has this medical record number."})
    if policies.is_on_care_team(actor, patient):
        raise ValidationError({"mrn": "You are on this patient's care team: open the chart directly."})
    now = timezone.now()
    access = BreakGlassAccess(
        user=actor,
        patient=patient,
        reason=reason,
        started_at=now,
        expires_at=now + timedelta(minutes=settings.BREAK_GLASS_MINUTES),
    )
    access.full_clean()
    with _write(actor):
        access.save()
        record_security_event(
            action="records.break_glass",
            actor=actor,
            details={"patient_id": patient.pk, "access_id": access.pk, "expires_at": access.expires_at.isoformat()},
        )
        record_access(
            actor=actor,
            patient_id=patient.pk,
            record_type="break_glass",
            action="break_glass.open",
            purpose=Purpose.BREAK_THE_GLASS,
            record_id=access.pk,
        )
        _email_compliance_officers(access)
    return access


def _email_compliance_officers(access: BreakGlassAccess) -> None:
    """One outbox row per compliance officer, sent after commit: ids and times, no PHI (the reason
    stays in the encrypted row; the actor's name is read when the message is sent)."""
    context = {
        "access_id": access.pk,
        "actor_id": access.user_id,
        "patient_id": access.patient_id,
        "started_at": access.started_at.isoformat(),
        "expires_at": access.expires_at.isoformat(),
    }
    for officer in User.objects.filter(groups__name=Role.COMPLIANCE.value, is_active=True).order_by("pk"):
        email_queue(template="break_glass_opened", recipient=officer, context=context)


def break_glass_review(*, actor, access_id, decision: str, note: str = "") -> BreakGlassAccess:
    if not policies.may_review_break_glass(actor):
        raise PermissionDenied("Only compliance officers review break-the-glass accesses.")
    if decision not in (BreakGlassAccess.Review.JUSTIFIED, BreakGlassAccess.Review.UNJUSTIFIED):
        raise ValidationError({"decision": "Choose justified or not justified."})
    with _write(actor):
        access = BreakGlassAccess.objects.select_for_update().filter(pk=record_id_or_404(access_id)).first()
        if access is None:
            raise Http404("No break-the-glass access with that id.")
        access.review_status = decision
        access.review_note = note
        access.reviewed_by = actor
        access.reviewed_at = timezone.now()
        access.save(update_fields=["review_status", "review_note", "reviewed_by", "reviewed_at"])
        record_security_event(
            action="records.break_glass_review",
            actor=actor,
            target_user=access.user,
            details={"access_id": access.pk, "patient_id": access.patient_id, "decision": decision},
        )
    return access
