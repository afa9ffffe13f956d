"""Who may do what in compliance: the incident register and the accounting of disclosures.

The compliance officer runs the incident register and produces accountings of disclosures: a role
check, as for break-the-glass reviews (the compliance role holds no permission on clinical
models). Disclosures are recorded by compliance officers for any patient and by doctors and
nurses for the patients they may see (records.policies); receptionists and patients never see
the register.
"""

from accounts.roles import Role
from records import policies as records_policies
from records.models import Patient

INCIDENT_ROLES = (Role.COMPLIANCE,)
DISCLOSURE_RECORDING_ROLES = (Role.COMPLIANCE, Role.DOCTOR, Role.NURSE)


def may_manage_incidents(user) -> bool:
    return records_policies.role_of(user) in INCIDENT_ROLES


def may_handle_accountings(user) -> bool:
    return records_policies.role_of(user) is Role.COMPLIANCE


def may_record_disclosures_at_all(user) -> bool:
    return records_policies.role_of(user) in DISCLOSURE_RECORDING_ROLES


def may_record_disclosure(user, patient: Patient) -> bool:
    """Compliance officers for any patient; doctors and nurses for those on whose care team they
    are or to whom they hold break-the-glass access."""
    role = records_policies.role_of(user)
    if role is Role.COMPLIANCE:
        return True
    if role in records_policies.CLINICAL_ROLES:
        return records_policies.purpose_for(user, patient) is not None
    return False


def may_see_own_disclosures(user) -> bool:
    return records_policies.role_of(user) is Role.PATIENT
