"""Every read of compliance's data, one module per subject:
consents and the data inventory; data-subject requests and legal holds."""

from compliance.selectors.consents import (
    PURPOSE_NOT_FOUND_MESSAGE,
    ConsentOverview,
    ConsentState,
    consent_purpose_get,
    consent_purposes_active,
    consenting_patient_ids,
    inventory_entries,
    latest_decision,
    paper_consent_patient_for,
    patient_consent_overview,
    portal_consent_overview,
)
from compliance.selectors.requests import (
    NOT_FOUND_MESSAGE,
    Purpose,
    assignable_officers,
    legal_hold_active,
    legal_hold_list,
    own_request_get,
    own_request_list,
    request_get,
    request_history,
    request_queue,
    today,
)

__all__ = [
    "NOT_FOUND_MESSAGE",
    "PURPOSE_NOT_FOUND_MESSAGE",
    "ConsentOverview",
    "ConsentState",
    "Purpose",
    "assignable_officers",
    "consent_purpose_get",
    "consent_purposes_active",
    "consenting_patient_ids",
    "inventory_entries",
    "latest_decision",
    "legal_hold_active",
    "legal_hold_list",
    "own_request_get",
    "own_request_list",
    "paper_consent_patient_for",
    "patient_consent_overview",
    "portal_consent_overview",
    "request_get",
    "request_history",
    "request_queue",
    "today",
]
