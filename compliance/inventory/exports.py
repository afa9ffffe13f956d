"""The inventory of compliance's data-subject exports (compliance.models.exports)."""

from compliance.inventory.types import Category, Erasure, Subject, field, model_block

C = Category

BLOCKS = [
    model_block(
        "compliance.DataExport",
        patient_path="patient",
        description="A data-subject export of a patient: ids, states, times and sizes; the archive itself is an "
        "encrypted file, deleted when the export expires.",
        subject=Subject.PATIENT,
        lawful_basis="GDPR 6(1)(c) legal obligation to answer access and portability requests (GDPR 15, 20)",
        purpose="giving patients a copy of their data, and accounting for it",
        retention="data_export",
        erasure=Erasure.KEEP_BY_LAW,
        # Not in the export itself: an archive would describe itself half-built; the patient sees
        # their exports, with their states and times, on the "Download my data" page.
        export=False,
        fields=[
            field("id", C.OPERATIONAL),
            field("patient", C.OPERATIONAL),
            field(
                "requested_by",
                C.OPERATIONAL,
                export=False,
                description="The patient, or the compliance officer completing a request.",
            ),
            field("request_id", C.OPERATIONAL),
            field("status", C.OPERATIONAL),
            field("created_at", C.OPERATIONAL),
            field("ready_at", C.OPERATIONAL),
            field("expires_at", C.OPERATIONAL),
            field(
                "storage_name",
                C.OPERATIONAL,
                personal=False,
                description="The random name of the encrypted archive on disk.",
            ),
            field("size", C.OPERATIONAL),
            field("stored_size", C.OPERATIONAL, personal=False),
            field("downloads", C.OPERATIONAL),
            field("last_downloaded_at", C.OPERATIONAL),
        ],
    ),
]
