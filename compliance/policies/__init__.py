"""The access rules of compliance, one module per subject: consents, the data inventory and
exports; incidents and disclosures; data-subject requests and legal holds."""

from compliance.policies.consents import (
    PAPER_CONSENT_ROLES,
    Purpose,
    may_build_export_for_others,
    may_decide_own_consent,
    may_record_paper_consent,
    may_use_own_exports,
    may_view_inventory,
    paper_consent_purpose_for,
)
from compliance.policies.incidents import (
    DISCLOSURE_RECORDING_ROLES,
    INCIDENT_ROLES,
    may_handle_accountings,
    may_manage_incidents,
    may_record_disclosure,
    may_record_disclosures_at_all,
    may_see_own_disclosures,
)
from compliance.policies.requests import (
    may_apply_rectification,
    may_be_assigned_requests,
    may_manage_legal_holds,
    may_open_own_request,
    may_work_requests,
)

__all__ = [
    "DISCLOSURE_RECORDING_ROLES",
    "INCIDENT_ROLES",
    "PAPER_CONSENT_ROLES",
    "Purpose",
    "may_apply_rectification",
    "may_be_assigned_requests",
    "may_build_export_for_others",
    "may_decide_own_consent",
    "may_handle_accountings",
    "may_manage_incidents",
    "may_manage_legal_holds",
    "may_open_own_request",
    "may_record_disclosure",
    "may_record_disclosures_at_all",
    "may_record_paper_consent",
    "may_see_own_disclosures",
    "may_use_own_exports",
    "may_view_inventory",
    "may_work_requests",
    "paper_consent_purpose_for",
]
