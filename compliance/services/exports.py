"""Data-subject exports: asking for one, building it, deleting it when it expires.

`export_build(*, actor, patient_id, request_id=None)` is the one way an export is made: by the
patient's own request (`export_request`, from the portal or the API), by the compliance officer
completing an access or portability request, or by a background job (ids in). It writes the
archive as a stream into an encrypted file (compliance.exports.storage), outside any
transaction (an audited transaction holds the audit chain's lock until it commits, and a big
record takes a while), then marks the export ready and records the access event in one short
transaction. A failed build leaves no file and a failed export, logged by its type only (a
validation error's text can quote the record).

At most one export per patient is being prepared at a time (a database constraint): asking again
meanwhile returns that one. Exports expire DATA_EXPORT_HOURS after they are ready;
`export_purge_expired` (management command `purge_expired_exports`, run on a schedule) deletes
their files.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import SYSTEM_ACTOR, record_access
from compliance.exports.archive import write_archive
from compliance.exports.storage import (
    EncryptedChunkWriter,
    delete_export_file,
    export_path,
    exports_dir,
    new_storage_name,
)
from compliance.models import DataExport
from compliance.policies import may_build_export_for_others, may_use_own_exports
from core.background import enqueue
from records.models import Patient
from records.selectors import NOT_FOUND_MESSAGE, portal_patient_get, record_denied, record_id_or_404

logger = logging.getLogger("healthpro.compliance")

Purpose = AuditEvent.Purpose
Outcome = AuditEvent.Outcome
RECORD_TYPE = "data_export"
# A build still "being prepared" after this long has died with its process (a worker restarted or
# timed out): it no longer blocks a new request, and the purge marks it failed. A live build writes
# its file continuously, so a file untouched for this long that no export names is left over.
BUILD_STALE_AFTER = timedelta(hours=1)


# The job that builds an export (compliance.tasks.export_build_task), by its registered name.
EXPORT_BUILD_TASK = "compliance.export_build"


def export_lifetime() -> timedelta:
    return timedelta(hours=settings.DATA_EXPORT_HOURS)


def _authorize_build(actor, patient_id) -> tuple[Patient, str]:
    """The patient and the audit purpose if `actor` may have an export of them built: the patient
    themselves, the compliance officer or the system. Http404 (a patient asking for someone else)
    or PermissionDenied otherwise, both audited as denied."""
    if may_use_own_exports(actor):
        own = portal_patient_get(user=actor)
        if own is None or own.pk != record_id_or_404(patient_id):
            record_denied(
                user=actor,
                patient_id=own.pk if own else None,
                record_type=RECORD_TYPE,
                action=f"{RECORD_TYPE}.create",
                details={"requested_patient_id": str(patient_id)},
            )
            raise Http404(NOT_FOUND_MESSAGE)
        return own, Purpose.SELF
    if may_build_export_for_others(actor):
        patient = Patient.objects.filter(pk=record_id_or_404(patient_id)).first()
        if patient is None:
            raise Http404(NOT_FOUND_MESSAGE)
        return patient, Purpose.ADMINISTRATION
    record_denied(user=actor, patient_id=None, record_type=RECORD_TYPE, action=f"{RECORD_TYPE}.create")
    raise PermissionDenied("Your role may not build data-subject exports.")


def _requested_by(actor):
    return None if actor == SYSTEM_ACTOR or not getattr(actor, "is_authenticated", False) else actor


def _preparing_export(*, actor, patient: Patient, purpose: str, request_id=None) -> tuple[DataExport, bool]:
    """The patient's export being prepared, or a new one; (export, created). Runs in a
    transaction that holds the patient's row, so that two requests cannot both create one."""
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    existing = DataExport.objects.filter(patient=patient, status=DataExport.Status.PREPARING).first()
    if existing is not None and existing.created_at <= timezone.now() - BUILD_STALE_AFTER:
        _mark_failed(actor=SYSTEM_ACTOR, export=existing, purpose=Purpose.ADMINISTRATION)
        existing = None
    if existing is not None:
        if request_id is not None and existing.request_id is None:
            existing.request_id = request_id
            existing.save(update_fields=["request_id"])
        return existing, False
    export = DataExport(
        patient=patient, requested_by=_requested_by(actor), request_id=request_id, created_at=timezone.now()
    )
    export.full_clean()
    export.save()
    record_access(
        actor=actor,
        patient_id=patient.pk,
        record_type=RECORD_TYPE,
        action=f"{RECORD_TYPE}.request",
        purpose=purpose,
        record_id=export.pk,
        details={"request_id": request_id} if request_id is not None else None,
    )
    return export, True


def export_request(*, actor) -> tuple[DataExport, bool]:
    """A patient asks for an export of their own record: (export, created). While one is being
    prepared, that one is returned (created False). With no background worker configured the
    build runs in this process once the request's transaction has committed."""
    if not may_use_own_exports(actor):
        record_denied(user=actor, patient_id=None, record_type=RECORD_TYPE, action=f"{RECORD_TYPE}.request")
        raise PermissionDenied("Only a patient may ask for an export of their own record.")
    patient = portal_patient_get(user=actor)
    if patient is None:
        raise Http404("No record is linked to your account.")
    with transaction.atomic():
        export, created = _preparing_export(actor=actor, patient=patient, purpose=Purpose.SELF)
        if created:
            enqueue(EXPORT_BUILD_TASK, patient.pk, actor.pk)
    export.refresh_from_db()
    return export, created


def export_build(*, actor, patient_id, request_id=None) -> DataExport:
    """Build the export of `patient_id` (the one being prepared, or a new one) and return it:
    READY, or FAILED when the archive could not be written. See the module docstring."""
    patient, purpose = _authorize_build(actor, patient_id)
    with transaction.atomic():
        export, _ = _preparing_export(actor=actor, patient=patient, purpose=purpose, request_id=request_id)
    storage_name = new_storage_name()
    exports_dir()
    writer = EncryptedChunkWriter(export_path(storage_name))
    try:
        summary = write_archive(writer, patient=patient)
        writer.close()
    except Exception as error:
        writer.discard()
        logger.error("Data export #%s failed: %s", export.pk, type(error).__name__)
        return _mark_failed(actor=actor, export=export, purpose=purpose)
    now = timezone.now()
    with transaction.atomic():
        current = DataExport.objects.select_for_update().get(pk=export.pk)
        if current.status != DataExport.Status.PREPARING:
            # Another build finished it first: keep theirs.
            transaction.on_commit(lambda: delete_export_file(storage_name))
            return current
        current.status = DataExport.Status.READY
        current.storage_name = storage_name
        current.size = writer.plain_size
        current.stored_size = writer.stored_size
        current.ready_at = now
        current.expires_at = now + export_lifetime()
        current.full_clean()
        current.save(update_fields=["status", "storage_name", "size", "stored_size", "ready_at", "expires_at"])
        record_access(
            actor=actor,
            patient_id=patient.pk,
            record_type=RECORD_TYPE,
            action=f"{RECORD_TYPE}.create",
            purpose=purpose,
            record_id=current.pk,
            details={
                "request_id": current.request_id,
                "resources": dict(sorted(summary.resources.items())),
                "documents": summary.documents,
                "size": current.size,
            },
        )
    return current


def _mark_failed(*, actor, export: DataExport, purpose: str) -> DataExport:
    with transaction.atomic():
        current = DataExport.objects.select_for_update().get(pk=export.pk)
        if current.status == DataExport.Status.PREPARING:
            current.status = DataExport.Status.FAILED
            current.save(update_fields=["status"])
            record_access(
                actor=actor,
                patient_id=current.patient_id,
                record_type=RECORD_TYPE,
                action=f"{RECORD_TYPE}.create",
                purpose=purpose,
                record_id=current.pk,
                outcome=Outcome.FAILURE,
            )
    return current


def export_purge_expired(*, now=None) -> int:
    """Delete the files of exports past their expiry and mark them expired; a build that never
    finished (its process died) is marked failed after BUILD_STALE_AFTER, and files in EXPORTS_DIR
    that no ready export names and that nothing has written for as long go too (left by such a
    build). Returns the number of exports expired. Idempotent."""
    now = now or timezone.now()
    expired = 0
    due = DataExport.objects.filter(status=DataExport.Status.READY, expires_at__lte=now)
    for export_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            export = DataExport.objects.select_for_update().filter(pk=export_id).first()
            if export is None or export.status != DataExport.Status.READY or export.expires_at > now:
                continue
            storage_name = export.storage_name
            export.status = DataExport.Status.EXPIRED
            export.storage_name = ""
            export.save(update_fields=["status", "storage_name"])
            record_access(
                actor=SYSTEM_ACTOR,
                patient_id=export.patient_id,
                record_type=RECORD_TYPE,
                action=f"{RECORD_TYPE}.delete",
                purpose=Purpose.ADMINISTRATION,
                record_id=export.pk,
            )
            transaction.on_commit(lambda name=storage_name: delete_export_file(name))
        expired += 1
    stale = DataExport.objects.filter(status=DataExport.Status.PREPARING, created_at__lte=now - BUILD_STALE_AFTER)
    for export in stale:
        _mark_failed(actor=SYSTEM_ACTOR, export=export, purpose=Purpose.ADMINISTRATION)
    _remove_orphan_files(now=now)
    return expired


def _remove_orphan_files(*, now) -> None:
    kept = set(
        DataExport.objects.filter(status=DataExport.Status.READY)
        .exclude(storage_name="")
        .values_list("storage_name", flat=True)
    )
    oldest = (now - BUILD_STALE_AFTER).timestamp()
    for path in exports_dir().iterdir():
        if path.is_file() and path.name not in kept and path.stat().st_mtime <= oldest:
            path.unlink(missing_ok=True)
