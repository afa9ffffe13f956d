"""The inventory of compliance's incident register and accounting of disclosures."""

from compliance.inventory.types import Category, Erasure, Subject, field, model_block

C = Category
E = Erasure
BASIS_BREACH = "GDPR 6(1)(c) legal obligation to document breaches (GDPR 33(5)); HIPAA 45 CFR 164.530(j)"
BASIS_DISCLOSURES = "GDPR 6(1)(c) legal obligation; HIPAA 45 CFR 164.528 accounting of disclosures"
FREE = "Free text (encrypted): may describe people and what happened to their data."
STAFF = {"subject": Subject.STAFF, "export": False}


def _staff_operational(*names: str) -> list:
    return [field(name, C.OPERATIONAL, **STAFF) for name in names]


def _register(label: str, description: str, fields: list, *, patient_path: str | None = None) -> tuple:
    """A row of the incident register: the clinic's record of a breach, kept by law."""
    return model_block(
        label,
        patient_path=patient_path,
        description=description,
        subject=Subject.PATIENT if patient_path else Subject.NONE,
        lawful_basis=BASIS_BREACH,
        purpose="handling security incidents and notifying breaches in time",
        retention="incident",
        erasure=E.KEEP_BY_LAW if patient_path else E.NOT_PERSONAL,
        export=False,
        fields=fields,
    )


BLOCKS = [
    _register(
        "compliance.Incident",
        "A security incident: detection, category, severity, status, risk assessment, notification times.",
        [
            *(
                field(name, C.OPERATIONAL)
                for name in (
                    "id",
                    "title",
                    "category",
                    "severity",
                    "status",
                    "detection_method",
                    "detected_at",
                    "detected_by",
                    "aware_at",
                    "reported_at",
                    "affected_count_estimate",
                    "data_categories",
                    "audit_event_ids",
                    "acquired_or_viewed",
                    "hipaa_outcome",
                    "gdpr_risk",
                    "assessed_at",
                    "authority_notified_at",
                    "individuals_notified_at",
                    "hhs_notified_at",
                    "closed_at",
                    "affected_patients",
                )
            ),
            *(
                field(name, C.SECURITY, personal=True, subject=Subject.PATIENT, erasure=E.KEEP_BY_LAW, description=FREE)
                for name in (
                    "description",
                    "containment_actions",
                    "recovery_actions",
                    "nature_and_extent",
                    "unauthorised_recipient",
                    "mitigation",
                )
            ),
            *(
                field(name, C.OPERATIONAL, personal=True, erasure=E.KEEP_BY_LAW, **STAFF)
                for name in ("reported_by", "assessed_by")
            ),
        ],
    ),
    _register(
        "compliance.IncidentPatient",
        "A patient affected by an incident, who added them and when.",
        [
            field("id", C.OPERATIONAL),
            field("incident", C.OPERATIONAL),
            field("patient", C.OPERATIONAL),
            field("added_at", C.OPERATIONAL),
            *_staff_operational("added_by"),
        ],
        patient_path="patient",
    ),
    _register(
        "compliance.IncidentTimelineEntry",
        "One change of an incident: who, when, which fields (never their free text).",
        [
            *(field(name, C.OPERATIONAL) for name in ("id", "incident", "occurred_at", "action", "summary")),
            field("actor", C.OPERATIONAL, personal=True, erasure=E.KEEP_BY_LAW, **STAFF),
        ],
    ),
    _register(
        "compliance.NotificationDraft",
        "A notice of a breach (to the authority, the patients, HHS): its text and when it was sent.",
        [
            *(field(name, C.OPERATIONAL) for name in ("id", "incident", "kind", "updated_at", "sent_at")),
            field("body", C.SECURITY, personal=True, subject=Subject.PATIENT, erasure=E.KEEP_BY_LAW, description=FREE),
            *(
                field(name, C.OPERATIONAL, personal=True, erasure=E.KEEP_BY_LAW, **STAFF)
                for name in ("updated_by", "sent_by")
            ),
        ],
    ),
    _register(
        "compliance.IncidentReminder",
        "A deadline reminder was sent for an incident (no address, no content).",
        [field(name, C.OPERATIONAL) for name in ("id", "incident", "deadline", "threshold", "sent_at", "recipients")],
    ),
    model_block(
        "compliance.Disclosure",
        patient_path="patient",
        description="A disclosure of a patient's information outside treatment, payment and operations.",
        subject=Subject.PATIENT,
        lawful_basis=BASIS_DISCLOSURES,
        purpose="accounting to the patient for the disclosures of their record",
        retention="disclosure",
        erasure=E.KEEP_BY_LAW,
        export=True,
        fields=[
            field("id", C.OPERATIONAL),
            field("patient", C.OPERATIONAL),
            field("disclosed_at", C.OPERATIONAL),
            field("recipient", C.IDENTIFYING, description="Who received it (encrypted)."),
            field("recipient_address", C.CONTACT, description="The recipient's address (encrypted)."),
            field("description", C.HEALTH_SPECIAL, description="What was disclosed (encrypted)."),
            field("purpose", C.IDENTIFYING, description="Why, or the law that required it (encrypted)."),
            field("recorded_at", C.OPERATIONAL),
            field("recorded_by", C.OPERATIONAL, **STAFF),
        ],
    ),
    model_block(
        "compliance.AccountingRequest",
        patient_path="patient",
        description="A patient's request for the accounting of disclosures, its due date and when it was produced.",
        subject=Subject.PATIENT,
        lawful_basis=BASIS_DISCLOSURES,
        purpose="answering the patient's request for an accounting within 60 days",
        retention="disclosure",
        erasure=E.KEEP_BY_LAW,
        export=True,
        fields=[
            *(
                field(name, C.OPERATIONAL)
                for name in (
                    "id",
                    "patient",
                    "requested_at",
                    "due_at",
                    "extended_at",
                    "extension_reason",
                    "produced_at",
                )
            ),
            field("requested_by", C.OPERATIONAL, export=False),
            field("produced_by", C.OPERATIONAL, **STAFF),
        ],
    ),
]
