"""The inventory of compliance's data-subject requests and legal holds."""

from compliance.inventory.types import Category, Erasure, Subject, field, model_block

C = Category
E = Erasure
BASIS_RIGHTS = "GDPR 6(1)(c) legal obligation to answer data-subject requests (GDPR 12 to 22) and to prove it"
BASIS_HOLD = "GDPR 6(1)(c) and 17(3)(e) legal obligation; the establishment or defence of legal claims"
STAFF = {"subject": Subject.STAFF, "export": False}

BLOCKS = [
    model_block(
        "compliance.DataSubjectRequest",
        patient_path="patient",
        description=(
            "A data-subject request (access, portability, rectification, restriction, objection, erasure): "
            "its channel, identity check, due date, assignee and outcome; a correction's proposed and previous "
            "values (encrypted)."
        ),
        subject=Subject.PATIENT,
        lawful_basis=BASIS_RIGHTS,
        purpose="answering the patient's privacy requests within the legal time, and proving it",
        retention="privacy_request",
        erasure=E.KEEP_BY_LAW,
        export=True,
        fields=[
            field("id", C.OPERATIONAL),
            field("patient", C.OPERATIONAL),
            field("kind", C.OPERATIONAL),
            field("status", C.OPERATIONAL),
            field("channel", C.OPERATIONAL),
            field("details", C.IDENTIFYING, description="What the patient wrote with the request."),
            field("received_on", C.OPERATIONAL),
            field("due_on", C.OPERATIONAL),
            field("extension_months", C.OPERATIONAL),
            field(
                "extension_reason",
                C.IDENTIFYING,
                description="Free text (encrypted): may name the patient or their circumstances.",
            ),
            field("opened_by", C.OPERATIONAL, export=False, description="The patient, or the officer who recorded it."),
            field("assignee", C.OPERATIONAL, **STAFF),
            field("identity_method", C.SECURITY),
            field("identity_verified_by", C.SECURITY, **STAFF),
            field("identity_verified_at", C.SECURITY),
            field("outcome", C.OPERATIONAL),
            field(
                "refusal_reason",
                C.IDENTIFYING,
                description="Free text (encrypted): may name the patient or their circumstances.",
            ),
            field("proposed_values", C.IDENTIFYING, description="The demographics a correction proposes."),
            field("previous_values", C.IDENTIFYING, description="The values a correction replaced."),
            field("applied_fields", C.OPERATIONAL),
            field("reminded_for_due_on", C.OPERATIONAL, export=False),
            field("created_at", C.OPERATIONAL),
            field("closed_at", C.OPERATIONAL),
        ],
    ),
    model_block(
        "compliance.RequestEvent",
        patient_path="request__patient",
        description="One step of a data-subject request's history: who, when, what, the status after it, a note.",
        subject=Subject.PATIENT,
        lawful_basis=BASIS_RIGHTS,
        purpose="the history of each privacy request, for the patient and for the supervisory authority",
        retention="privacy_request",
        erasure=E.KEEP_BY_LAW,
        export=True,
        fields=[
            field("id", C.OPERATIONAL),
            field("request", C.OPERATIONAL),
            field("occurred_at", C.OPERATIONAL),
            field("actor", C.OPERATIONAL, **STAFF),
            field("action", C.OPERATIONAL),
            field("status", C.OPERATIONAL),
            field(
                "note", C.IDENTIFYING, description="Free text (encrypted): may name the patient or their circumstances."
            ),
        ],
    ),
    model_block(
        "compliance.LegalHold",
        patient_path="patient",
        description="A legal hold on a patient: it blocks erasure and retention purges until it is lifted.",
        subject=Subject.PATIENT,
        lawful_basis=BASIS_HOLD,
        purpose="keeping what a claim, an investigation or the law needs kept",
        retention="legal_hold",
        erasure=E.KEEP_BY_LAW,
        export=False,
        fields=[
            field("id", C.OPERATIONAL),
            field("patient", C.OPERATIONAL),
            field(
                "reason",
                C.IDENTIFYING,
                description="Free text (encrypted): may name the patient or their circumstances.",
            ),
            field("placed_by", C.OPERATIONAL, subject=Subject.STAFF),
            field("placed_at", C.OPERATIONAL),
            field("lifted_by", C.OPERATIONAL, subject=Subject.STAFF),
            field("lifted_at", C.OPERATIONAL),
            field(
                "lift_reason",
                C.IDENTIFYING,
                description="Free text (encrypted): may name the patient or their circumstances.",
            ),
        ],
    ),
]
