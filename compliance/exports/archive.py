"""The export archive: one zip, written as a stream (nothing holds the whole record in memory).

    README.txt          what is in the archive
    data.json           every field the data inventory marks for export, named as it names them
    fhir-bundle.json    the record as a FHIR R4 Bundle of type collection
    documents/...       the patient's documents, decrypted, under safe names

The zip goes to any binary file object (compliance.exports.storage.EncryptedChunkWriter, which
encrypts it as it comes); the JSON files are written entry by entry, the documents one at a time.
The caller has checked that this export may be built for this patient.
"""

import json
import uuid
import zipfile
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from compliance.exports.documents import document_archive_name
from compliance.exports.fhir import FhirMapper
from compliance.exports.json import write_data_json
from records.fields import decrypt_bytes
from records.models import Document, Patient
from records.storage import read_document_file

README_TEXT = """Your HealthPro data
===================

This archive holds a copy of the personal data HealthPro keeps about you, made on {made_at} (UTC)
at your request (GDPR articles 15 and 20: access and data portability).

data.json
    Every item of personal data our data inventory lists for export, grouped by the kind of record
    it comes from ("records.Patient", "records.Encounter", ...), one object per record, with the
    fields named as the inventory names them.

fhir-bundle.json
    Your medical record in HL7 FHIR R4, the standard other health systems read: a Bundle of type
    "collection" with your demographics (Patient), visits (Encounter), problems (Condition),
    medications (MedicationStatement), allergies (AllergyIntolerance), results and vital signs
    (Observation), notes and documents (DocumentReference), appointments (Appointment), your
    consents and their withdrawals (Consent), your care team (CareTeam) and who accessed your
    record (AuditEvent). Staff appear by name and role.

documents/
    The documents in your record, as they were uploaded ({documents} file(s)).

Keep this archive safe: it contains health information. The download link stops working when it
expires, and HealthPro deletes its copy of the archive then.
"""


@dataclass
class ArchiveSummary:
    """What went into an archive: counts only (for the audit event), never values."""

    resources: Counter = field(default_factory=Counter)
    rows: dict = field(default_factory=dict)
    documents: int = 0


def _write_fhir_bundle(archive: zipfile.ZipFile, mapper: FhirMapper, summary: ArchiveSummary, made_at) -> None:
    with archive.open("fhir-bundle.json", "w", force_zip64=True) as stream:
        head = {
            "resourceType": "Bundle",
            "id": str(mapper.namespace),
            "type": "collection",
            "timestamp": made_at.isoformat(),
        }
        stream.write(json.dumps(head)[:-1].encode("utf-8") + b', "entry": [')
        first = True
        for full_url, resource_type, resource_json in mapper.entries():
            if not first:
                stream.write(b",")
            first = False
            stream.write(b'{"fullUrl": ' + json.dumps(full_url).encode("utf-8") + b', "resource": ')
            stream.write(resource_json.encode("utf-8"))
            stream.write(b"}")
            summary.resources[resource_type] += 1
        stream.write(b"]}")


def _write_documents(archive: zipfile.ZipFile, patient: Patient, summary: ArchiveSummary) -> None:
    for document in Document.objects.filter(patient=patient).order_by("id").iterator(chunk_size=100):
        content = decrypt_bytes(read_document_file(document.storage_name))
        with archive.open(document_archive_name(document), "w", force_zip64=True) as stream:
            stream.write(content)
        summary.documents += 1


def write_archive(output, *, patient: Patient) -> ArchiveSummary:
    """Write the export archive of `patient` to the binary file object `output`."""
    summary = ArchiveSummary()
    made_at = timezone.now()
    mapper = FhirMapper(patient=patient, namespace=uuid.uuid4())
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        with archive.open("data.json", "w", force_zip64=True) as stream:
            summary.rows = write_data_json(stream, patient)
        _write_fhir_bundle(archive, mapper, summary, made_at)
        _write_documents(archive, patient, summary)
        readme = README_TEXT.format(made_at=made_at.strftime("%Y-%m-%d %H:%M"), documents=summary.documents)
        archive.writestr("README.txt", readme)
    return summary
