"""The models of compliance: one module per subject, re-exported here for Django and callers."""

from compliance.models.holds import LegalHold
from compliance.models.requests import DataSubjectRequest, RequestEvent, add_months

__all__ = ["DataSubjectRequest", "LegalHold", "RequestEvent", "add_months"]
