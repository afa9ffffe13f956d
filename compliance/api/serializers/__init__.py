"""Serializers of compliance's API: consents; the patient's own data-subject requests."""

from compliance.api.serializers.consents import (
    ConsentDecisionRequestSerializer,
    ConsentStateSerializer,
    DataExportRequestSerializer,
    DataExportSerializer,
)
from compliance.api.serializers.requests import (
    NOTES_SHOWN_TO_PATIENT,
    ProposedValuesSerializer,
    RequestCreateSerializer,
    RequestDetailSerializer,
    RequestEventSerializer,
    RequestSerializer,
)

__all__ = [
    "NOTES_SHOWN_TO_PATIENT",
    "ConsentDecisionRequestSerializer",
    "ConsentStateSerializer",
    "DataExportRequestSerializer",
    "DataExportSerializer",
    "ProposedValuesSerializer",
    "RequestCreateSerializer",
    "RequestDetailSerializer",
    "RequestEventSerializer",
    "RequestSerializer",
]
