"""The access rules of compliance's pages and API, as plain functions.

Data-subject exports: a patient asks for and downloads their own export, from the portal or the
API, signed in as themselves; nobody else downloads it (staff never use a patient's link, whatever
their role). The compliance officer, completing an access or portability request, and an
operator's job may build one for a patient; building is not reading (they never see its content).
"""

from accounts.roles import Role
from audit.models import AuditEvent
from audit.services import SYSTEM_ACTOR
from records import policies as records_policies
from records.policies import role_of

Purpose = AuditEvent.Purpose

# Consent

# Staff who may record a consent a patient gave or withdrew on paper.
PAPER_CONSENT_ROLES = frozenset({Role.RECEPTIONIST, Role.DOCTOR, Role.NURSE, Role.COMPLIANCE})


def may_record_paper_consent(user) -> bool:
    return role_of(user) in PAPER_CONSENT_ROLES


def paper_consent_purpose_for(user, patient) -> str | None:
    """The audit purpose on which `user` may see and record `patient`'s consents, or None.

    Reception and clinicians: the patients records.policies lets them see, break-the-glass
    excepted (it is read-only; a consent is a write). Compliance officers: every patient, for
    their consents only (they see no clinical content)."""
    role = role_of(user)
    if role is Role.COMPLIANCE:
        return Purpose.ADMINISTRATION
    if role not in PAPER_CONSENT_ROLES:
        return None
    purpose = records_policies.purpose_for(user, patient)
    return None if purpose == Purpose.BREAK_THE_GLASS else purpose


def may_decide_own_consent(user) -> bool:
    """Patients give and withdraw their own consents (portal and API)."""
    return role_of(user) is Role.PATIENT


# Data inventory


def may_view_inventory(user) -> bool:
    return role_of(user) is Role.COMPLIANCE


# Data-subject exports


def may_use_own_exports(user) -> bool:
    return user != SYSTEM_ACTOR and role_of(user) is Role.PATIENT


def may_build_export_for_others(actor) -> bool:
    return actor == SYSTEM_ACTOR or role_of(actor) is Role.COMPLIANCE
