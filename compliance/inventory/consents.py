"""The inventory of compliance's consent models."""

from compliance.inventory.types import (
    BASIS_CARE,
    BASIS_CONSENT_PROOF,
    Category,
    Erasure,
    Subject,
    field,
    model_block,
)

C = Category
E = Erasure

BLOCKS = [
    model_block(
        "compliance.ConsentPurpose",
        patient_path=None,
        description="A purpose the clinic asks consent for (configured in the admin).",
        subject=Subject.NONE,
        lawful_basis="",
        purpose="what the clinic asks consent for",
        retention="configuration",
        erasure=E.NOT_PERSONAL,
        export=False,
        fields=[field(name, C.OPERATIONAL) for name in ("id", "key", "name", "is_active", "created_at")],
    ),
    model_block(
        "compliance.ConsentVersion",
        patient_path=None,
        description="One version of a purpose's text; never changed once published.",
        subject=Subject.NONE,
        lawful_basis="",
        purpose="the text a consent was given to",
        retention="consent",
        erasure=E.NOT_PERSONAL,
        export=False,
        fields=[
            *(field(name, C.OPERATIONAL) for name in ("id", "purpose", "version", "text", "published_at")),
            field(
                "published_by",
                C.OPERATIONAL,
                personal=True,
                subject=Subject.STAFF,
                lawful_basis=BASIS_CONSENT_PROOF,
                erasure=E.KEEP_BY_LAW,
            ),
        ],
    ),
    model_block(
        "compliance.ConsentDecision",
        patient_path="patient",
        description="A consent given or withdrawn: which version, when, by which channel, recorded by whom.",
        subject=Subject.PATIENT,
        lawful_basis=BASIS_CONSENT_PROOF,
        purpose="proving which consents the patient gave or withdrew, and when",
        retention="consent",
        erasure=E.KEEP_BY_LAW,
        export=True,
        fields=[
            field("id", C.OPERATIONAL),
            field("patient", C.OPERATIONAL),
            field("purpose", C.OPERATIONAL),
            field("version", C.OPERATIONAL),
            field("decision", C.OPERATIONAL),
            field("channel", C.OPERATIONAL),
            field(
                "recorded_by",
                C.OPERATIONAL,
                subject=Subject.STAFF,
                export=False,
                description="The patient themselves, or the staff member who recorded a paper form.",
            ),
            field("decided_at", C.OPERATIONAL),
        ],
    ),
    model_block(
        "compliance.AppointmentReminder",
        patient_path="appointment__patient",
        description="A reminder e-mail was sent for an appointment (no address, no content).",
        subject=Subject.PATIENT,
        lawful_basis="GDPR 6(1)(a) consent to e-mail reminders; " + BASIS_CARE,
        purpose="sending each appointment reminder once",
        retention="reminder",
        erasure=E.DELETE,
        export=True,
        fields=[field("id", C.OPERATIONAL), field("appointment", C.OPERATIONAL), field("sent_at", C.CLINICAL)],
    ),
]
