from compliance.models.disclosures import AccountingRequest, Disclosure
from compliance.models.incidents import (
    DATA_CATEGORIES,
    Incident,
    IncidentPatient,
    IncidentReminder,
    IncidentTimelineEntry,
    NotificationDraft,
)

__all__ = [
    "DATA_CATEGORIES",
    "AccountingRequest",
    "Disclosure",
    "Incident",
    "IncidentPatient",
    "IncidentReminder",
    "IncidentTimelineEntry",
    "NotificationDraft",
]
