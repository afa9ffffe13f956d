"""The models of compliance: one module per subject, re-exported here for Django and callers."""

from compliance.models.consents import ConsentDecision, ConsentPurpose, ConsentVersion
from compliance.models.disclosures import AccountingRequest, Disclosure
from compliance.models.exports import DataExport
from compliance.models.holds import LegalHold
from compliance.models.incidents import (
    DATA_CATEGORIES,
    Incident,
    IncidentPatient,
    IncidentReminder,
    IncidentTimelineEntry,
    NotificationDraft,
)
from compliance.models.reminders import AppointmentReminder
from compliance.models.requests import DataSubjectRequest, RequestEvent, add_months

__all__ = [
    "DATA_CATEGORIES",
    "AccountingRequest",
    "AppointmentReminder",
    "ConsentDecision",
    "ConsentPurpose",
    "ConsentVersion",
    "DataExport",
    "DataSubjectRequest",
    "Disclosure",
    "Incident",
    "IncidentPatient",
    "IncidentReminder",
    "IncidentTimelineEntry",
    "LegalHold",
    "NotificationDraft",
    "RequestEvent",
    "add_months",
]
