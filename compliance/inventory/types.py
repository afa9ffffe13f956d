"""The vocabulary of the data inventory: what a field is, whose it is, what erasure does to it."""

from dataclasses import dataclass

from django.db import models


class Category(models.TextChoices):
    IDENTIFYING = "identifying", "Identifying"
    CONTACT = "contact", "Contact"
    # Facts of care delivery: when, with whom, in what state (appointments, care teams, statuses).
    CLINICAL = "clinical", "Clinical (care delivery)"
    # GDPR article 9 health data: what a record says about a person's health.
    HEALTH_SPECIAL = "health_special", "Special-category health data"
    FINANCIAL = "financial", "Financial"
    OPERATIONAL = "operational", "Operational"
    SECURITY = "security", "Security"


class Subject(models.TextChoices):
    """Whose personal data a field is. PATIENT also covers the account rows every user has (a
    patient's portal account, a session, a sign-in device): those rows reach a patient through the
    model's patient_path when the account is a patient's; staff rows are never reachable from one."""

    PATIENT = "patient", "Patient"
    STAFF = "staff", "Staff"
    NONE = "none", "Nobody"


class Erasure(models.TextChoices):
    """What an erasure request does to the field.

    DELETE: the value, or the row, is removed. PSEUDONYMISE: the row stays (other kept rows point
    at it, or accounts are never deleted) and the value is replaced by a pseudonym or cleared, so
    the row no longer names the person; a value that names nobody once those are replaced (a flag,
    a timestamp) stays as it is, in a row flagged as erased. KEEP_BY_LAW: a law obliges us to keep the value (medical
    records, the audit trail, security logs); the row stays as it is until its retention ends.
    NOT_PERSONAL: not about a person; erasure leaves it alone.
    """

    DELETE = "delete", "Delete"
    PSEUDONYMISE = "pseudonymise", "Pseudonymise"
    KEEP_BY_LAW = "keep_by_law", "Keep (required by law)"
    NOT_PERSONAL = "not_personal", "Not personal data"


# Retention categories: the key a field names, and what it means.
RETENTION = {
    "medical_record": "The medical record: kept for the statutory period after the last contact "
    "(the clinic's jurisdiction sets it, commonly 10 years), then purged.",
    "patient_identity": "Who the patient is and how to reach them: kept with the medical record; "
    "contact details are removed on erasure.",
    "account": "A sign-in account: kept while it is active; accounts are deactivated, never deleted.",
    "credential": "A password hash, a second factor or a token: kept while it is in use, removed "
    "when replaced, revoked or expired.",
    "session": "A signed-in session: until it ends or expires; the session list keeps ended sessions "
    "as a security log.",
    "security_log": "Sign-in attempts, lockouts, admin actions: 6 years (HIPAA documentation).",
    "audit_log": "The tamper-evident audit trail and change history: 6 years (HIPAA audit controls), "
    "archived in segments.",
    "consent": "A consent decision: kept as long as the processing it allows, and then for the "
    "limitation period, to prove the consent (GDPR 7(1)).",
    "reminder": "A record that a reminder was sent: kept with the appointment it is about.",
    "configuration": "Configuration of the system: kept while it is in use.",
    "privacy_request": "A data-subject request and its history: 6 years after it is closed, as the proof "
    "that it was answered.",
    "legal_hold": "A legal hold: kept while it is in force and, once lifted, with the records it covered.",
    "incident": "The incident register: 6 years after the incident is closed (HIPAA documentation).",
    "disclosure": "A disclosure and the accountings of them: 6 years from the disclosure (HIPAA 164.528).",
    "outbox": "An e-mail waiting or sent: kept until it is sent or has failed for good, then for "
    "90 days so that an administrator can see what was delivered.",
    "data_export": "A data-subject export: its archive is deleted DATA_EXPORT_HOURS after it is ready; the "
    "row (ids, states, times) is kept with the audit trail, as the record that the request was answered.",
}

# The lawful bases in force, written once.
BASIS_CARE = "GDPR 6(1)(c) legal obligation to keep medical records; 9(2)(h) provision of health care"
BASIS_CONTRACT = "GDPR 6(1)(b) the service the person signed up for (their account)"
BASIS_SECURITY = (
    "GDPR 6(1)(c) legal obligation to secure and audit health data (GDPR 32; HIPAA 164.312(b)); "
    "9(2)(h) where it names a patient's record"
)
BASIS_CONSENT_PROOF = "GDPR 6(1)(c) legal obligation to prove consent (GDPR 7(1))"
BASIS_CONSENT = "GDPR 6(1)(a) consent, for the purpose consented to"
BASIS_NONE = "none: not personal data"


@dataclass(frozen=True)
class FieldEntry:
    model: str
    field: str
    category: Category
    subject: Subject
    personal: bool
    lawful_basis: str
    purpose: str
    retention: str
    export: bool
    erasure: Erasure
    description: str = ""


@dataclass(frozen=True)
class ModelEntry:
    model: str
    # ORM path from this model to records.Patient ("" for Patient itself), None when its rows are
    # not about a patient (or not reachable from one by the ORM).
    patient_path: str | None
    description: str


@dataclass(frozen=True)
class Field:
    """One field of a model block: what differs from the block's defaults."""

    name: str
    category: Category
    overrides: dict


def field(name: str, category: Category, **overrides) -> Field:
    return Field(name=name, category=category, overrides=overrides)


def model_block(
    label: str,
    *,
    patient_path: str | None,
    description: str,
    subject: Subject,
    lawful_basis: str,
    purpose: str,
    retention: str,
    erasure: Erasure,
    export: bool,
    fields: list[Field],
) -> tuple[ModelEntry, list[FieldEntry]]:
    """A model's entry and its fields' entries, each field taking the block's values unless it says
    otherwise. A field with personal=False is of nobody, not exported and untouched by erasure."""
    entries = []
    for spec in fields:
        values = {
            "subject": subject,
            "personal": subject != Subject.NONE,
            "lawful_basis": lawful_basis,
            "purpose": purpose,
            "retention": retention,
            "export": export,
            "erasure": erasure,
            **spec.overrides,
        }
        if not values["personal"]:
            values.update(subject=Subject.NONE, export=False, erasure=Erasure.NOT_PERSONAL)
            if "lawful_basis" not in spec.overrides:
                values["lawful_basis"] = BASIS_NONE
        entries.append(FieldEntry(model=label, field=spec.name, category=spec.category, **values))
    return ModelEntry(model=label, patient_path=patient_path, description=description), entries
