"""Reads of data-subject exports: the patient's own, and only theirs.

An export id that is not the signed-in patient's answers exactly like a missing one (Http404);
staff are refused (PermissionDenied) whatever the id, since nobody but the patient downloads a
patient's export. Both are audited as denied. A download is an access event.
"""

import itertools
import logging
from collections.abc import Iterator

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_access
from compliance.exports.errors import ExportGone, ExportNotReady
from compliance.exports.storage import ExportFileError, decrypted_chunks
from compliance.models import DataExport
from compliance.policies import may_use_own_exports
from records.models import Patient
from records.selectors import portal_patient_get, record_denied, record_id_or_404

logger = logging.getLogger("healthpro.compliance")

RECORD_TYPE = "data_export"
NOT_FOUND_MESSAGE = "No export with that id."
# The latest exports the portal lists.
LISTED = 10


def _own_patient(user, *, action: str) -> Patient:
    if not may_use_own_exports(user):
        record_denied(user=user, patient_id=None, record_type=RECORD_TYPE, action=f"{RECORD_TYPE}.{action}")
        raise PermissionDenied("Only the patient may see or download their exports.")
    patient = portal_patient_get(user=user)
    if patient is None:
        raise Http404("No record is linked to your account.")
    return patient


def export_list(*, user) -> list[DataExport]:
    """The signed-in patient's latest exports (ids, states and times; no record data)."""
    patient = _own_patient(user, action="list")
    return list(DataExport.objects.filter(patient=patient)[:LISTED])


def export_get(*, user, export_id, action: str = "read") -> DataExport:
    patient = _own_patient(user, action=action)
    export = DataExport.objects.filter(pk=record_id_or_404(export_id), patient=patient).first()
    if export is None:
        record_denied(
            user=user,
            patient_id=patient.pk,
            record_type=RECORD_TYPE,
            action=f"{RECORD_TYPE}.{action}",
            details={"requested_export_id": str(export_id)},
        )
        raise Http404(NOT_FOUND_MESSAGE)
    return export


def export_is_expired(export: DataExport, now=None) -> bool:
    now = now or timezone.now()
    return export.status == DataExport.Status.EXPIRED or (
        export.status == DataExport.Status.READY and export.expires_at is not None and export.expires_at <= now
    )


def export_download(*, user, export_id) -> tuple[DataExport, Iterator[bytes]]:
    """The patient's export and its archive's bytes (decrypted chunk by chunk), the download
    audited. ExportGone when it has expired (or its file is gone), ExportNotReady while it is
    being prepared or when it failed."""
    export = export_get(user=user, export_id=export_id, action="download")
    if export_is_expired(export):
        raise ExportGone("This download link has expired.")
    if export.status != DataExport.Status.READY:
        raise ExportNotReady("This export is not ready.")
    chunks = decrypted_chunks(export.storage_name)
    try:
        first = next(chunks)
    except ExportFileError as error:
        logger.warning("Data export #%s cannot be read: %s", export.pk, error)
        raise ExportGone("This export is no longer available.") from None
    with transaction.atomic():
        current = DataExport.objects.select_for_update().get(pk=export.pk)
        current.downloads += 1
        current.last_downloaded_at = timezone.now()
        current.save(update_fields=["downloads", "last_downloaded_at"])
        record_access(
            actor=user,
            patient_id=current.patient_id,
            record_type=RECORD_TYPE,
            action=f"{RECORD_TYPE}.download",
            purpose=AuditEvent.Purpose.SELF,
            record_id=current.pk,
        )
    return current, itertools.chain([first], chunks)
