"""Every read of compliance's data. Consents are patient data: each read leaves an access event.

Data-subject exports: the signed-in patient's own, and only theirs. An export id that is not
theirs answers exactly like a missing one (Http404); staff are refused (PermissionDenied) whatever
the id, since nobody but the patient downloads a patient's export. Both are audited as denied. A
download is an access event.
"""

import itertools
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_access
from compliance import policies
from compliance.exports.errors import ExportGone, ExportNotReady
from compliance.exports.storage import ExportFileError, decrypted_chunks
from compliance.inventory import REGISTRY, FieldEntry
from compliance.models import ConsentDecision, ConsentPurpose, ConsentVersion, DataExport
from records.models import Patient
from records.selectors import MAX_DATABASE_ID, NOT_FOUND_MESSAGE, portal_patient_get, record_denied, record_id_or_404

PURPOSE_NOT_FOUND_MESSAGE = "No consent purpose with that name."


@dataclass(frozen=True)
class ConsentState:
    """Where a patient stands on one purpose. `needs_answer`: the patient has not answered its
    current version (never answered, or answered an older text); `consented`: their latest
    decision gives consent to the current version, the only thing that counts as consent."""

    purpose: ConsentPurpose
    current_version: ConsentVersion
    latest: ConsentDecision | None

    @property
    def needs_answer(self) -> bool:
        return self.latest is None or self.latest.version_id != self.current_version.pk

    @property
    def consented(self) -> bool:
        return (
            self.latest is not None
            and self.latest.version_id == self.current_version.pk
            and self.latest.decision == ConsentDecision.Decision.GIVEN
        )

    @property
    def state(self) -> str:
        """ "given", "withdrawn" or "needs_answer"."""
        return "needs_answer" if self.needs_answer else self.latest.decision


def consent_purposes_active() -> list[ConsentPurpose]:
    """Active purposes that have a published version, each with `current_version` set."""
    purposes = ConsentPurpose.objects.filter(is_active=True).prefetch_related(
        Prefetch("versions", queryset=ConsentVersion.objects.order_by("-version"))
    )
    found = []
    for purpose in purposes:
        versions = list(purpose.versions.all())
        if versions:
            purpose.current_version = versions[0]
            found.append(purpose)
    return found


def consent_purpose_get(*, key: str) -> ConsentPurpose:
    """An active purpose by key, with `current_version`; Http404 for any other key."""
    for purpose in consent_purposes_active():
        if purpose.key == key:
            return purpose
    raise Http404(PURPOSE_NOT_FOUND_MESSAGE)


def latest_decision(*, patient_id: int, purpose_id: int) -> ConsentDecision | None:
    return ConsentDecision.objects.filter(patient_id=patient_id, purpose_id=purpose_id).order_by("-id").first()


def _states(patient: Patient) -> list[ConsentState]:
    purposes = consent_purposes_active()
    latest = {}
    for decision in ConsentDecision.objects.filter(patient=patient).select_related("version").order_by("id"):
        latest[decision.purpose_id] = decision
    return [ConsentState(purpose, purpose.current_version, latest.get(purpose.pk)) for purpose in purposes]


def _history(patient: Patient) -> list[ConsentDecision]:
    return list(ConsentDecision.objects.filter(patient=patient).select_related("purpose", "version").order_by("-id"))


@dataclass(frozen=True)
class ConsentOverview:
    patient: Patient
    purpose: str  # the audit purpose of the read
    states: list[ConsentState]
    history: list[ConsentDecision]


def _overview(*, user, patient: Patient, purpose: str) -> ConsentOverview:
    with transaction.atomic():
        record_access(actor=user, patient_id=patient.pk, record_type="consent", action="consent.list", purpose=purpose)
        return ConsentOverview(patient=patient, purpose=purpose, states=_states(patient), history=_history(patient))


def portal_consent_overview(*, user) -> ConsentOverview | None:
    """A patient's own consents and their history; None when no record is linked to the account."""
    patient = portal_patient_get(user=user)
    if patient is None:
        return None
    return _overview(user=user, patient=patient, purpose=policies.Purpose.SELF)


def paper_consent_patient_for(*, user, patient_id, action: str = "read") -> tuple[Patient, str]:
    """The patient whose consents staff `user` may record, with the audit purpose; Http404 (and a
    denied access event) otherwise, the same for a hidden patient as for a missing id."""
    try:
        patient_id = int(patient_id)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND_MESSAGE) from None
    patient = Patient.objects.filter(pk=patient_id).first() if 0 < patient_id <= MAX_DATABASE_ID else None
    purpose = policies.paper_consent_purpose_for(user, patient) if patient is not None else None
    if purpose is None:
        record_denied(
            user=user,
            patient_id=patient.pk if patient is not None else None,
            record_type="consent",
            action=f"consent.{action}",
            details={"requested_patient_id": patient_id},
        )
        raise Http404(NOT_FOUND_MESSAGE)
    return patient, purpose


def patient_consent_overview(*, user, patient_id) -> ConsentOverview:
    patient, purpose = paper_consent_patient_for(user=user, patient_id=patient_id)
    return _overview(user=user, patient=patient, purpose=purpose)


def consenting_patient_ids(*, purpose_key: str) -> QuerySet:
    """Ids of the patients whose latest decision on the purpose gives consent to its current
    version: the only patients a processing based on that consent may touch."""
    purpose = ConsentPurpose.objects.filter(key=purpose_key, is_active=True).first()
    if purpose is None:
        return Patient.objects.none().values("pk")
    current = ConsentVersion.objects.filter(purpose=purpose).order_by("-version").values("pk")[:1]
    latest = ConsentDecision.objects.filter(patient=OuterRef("pk"), purpose=purpose).order_by("-id")
    return (
        Patient.objects.annotate(
            latest_decision=Subquery(latest.values("decision")[:1]),
            latest_version=Subquery(latest.values("version_id")[:1]),
        )
        .filter(latest_decision=ConsentDecision.Decision.GIVEN, latest_version=Subquery(current))
        .values("pk")
    )


def inventory_entries(
    *, user, app: str = "", model: str = "", category: str = "", subject: str = "", erasure: str = "", export: str = ""
) -> list[FieldEntry]:
    """The inventory's field entries matching every filter given ("" is any); export is "yes" or "no"."""
    if not policies.may_view_inventory(user):
        raise PermissionDenied("Only compliance officers read the data inventory.")
    entries = []
    for entry in REGISTRY:
        if app and entry.model.split(".")[0] != app:
            continue
        if model and entry.model != model:
            continue
        if (category and entry.category != category) or (subject and entry.subject != subject):
            continue
        if (erasure and entry.erasure != erasure) or (export and entry.export != (export == "yes")):
            continue
        entries.append(entry)
    return entries


logger = logging.getLogger("healthpro.compliance")

EXPORT_RECORD_TYPE = "data_export"
EXPORT_NOT_FOUND_MESSAGE = "No export with that id."
# The latest exports the portal lists.
EXPORTS_LISTED = 10


def _export_patient(user, *, action: str) -> Patient:
    if not policies.may_use_own_exports(user):
        record_denied(
            user=user, patient_id=None, record_type=EXPORT_RECORD_TYPE, action=f"{EXPORT_RECORD_TYPE}.{action}"
        )
        raise PermissionDenied("Only the patient may see or download their exports.")
    patient = portal_patient_get(user=user)
    if patient is None:
        raise Http404("No record is linked to your account.")
    return patient


def export_list(*, user) -> list[DataExport]:
    """The signed-in patient's latest exports (ids, states and times; no record data)."""
    patient = _export_patient(user, action="list")
    return list(DataExport.objects.filter(patient=patient)[:EXPORTS_LISTED])


def export_get(*, user, export_id, action: str = "read") -> DataExport:
    patient = _export_patient(user, action=action)
    export = DataExport.objects.filter(pk=record_id_or_404(export_id), patient=patient).first()
    if export is None:
        record_denied(
            user=user,
            patient_id=patient.pk,
            record_type=EXPORT_RECORD_TYPE,
            action=f"{EXPORT_RECORD_TYPE}.{action}",
            details={"requested_export_id": str(export_id)},
        )
        raise Http404(EXPORT_NOT_FOUND_MESSAGE)
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
        logger.warning("Data export #%s cannot be read: %s", export.pk, type(error).__name__)
        raise ExportGone("This export is no longer available.") from None
    with transaction.atomic():
        current = DataExport.objects.select_for_update().get(pk=export.pk)
        current.downloads += 1
        current.last_downloaded_at = timezone.now()
        current.save(update_fields=["downloads", "last_downloaded_at"])
        record_access(
            actor=user,
            patient_id=current.patient_id,
            record_type=EXPORT_RECORD_TYPE,
            action=f"{EXPORT_RECORD_TYPE}.download",
            purpose=AuditEvent.Purpose.SELF,
            record_id=current.pk,
        )
    return current, itertools.chain([first], chunks)
