"""The models of compliance: one module per subject, re-exported here for Django and callers."""

from compliance.models.consents import ConsentDecision, ConsentPurpose, ConsentVersion
from compliance.models.exports import DataExport
from compliance.models.holds import LegalHold
from compliance.models.reminders import AppointmentReminder
from compliance.models.requests import DataSubjectRequest, RequestEvent, add_months

__all__ = [
    "AppointmentReminder",
    "ConsentDecision",
    "ConsentPurpose",
    "ConsentVersion",
    "DataExport",
    "DataSubjectRequest",
    "LegalHold",
    "RequestEvent",
    "add_months",
]
