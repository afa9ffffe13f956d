"""Compliance's API: the patient's own consents and data-subject requests."""

from compliance.api.views.consents import (
    GONE,
    NOT_READY,
    ComplianceApi,
    ConsentApi,
    ConsentGiveApi,
    ConsentListApi,
    ConsentWithdrawApi,
    DataExportDetailApi,
    DataExportDownloadApi,
    DataExportListApi,
    ExportGoneError,
    ExportNotReadyError,
)
from compliance.api.views.requests import (
    PATIENTS_ONLY,
    PrivacyApi,
    PrivacyRequestDetailApi,
    PrivacyRequestListApi,
    PrivacyRequestWithdrawApi,
)

__all__ = [
    "GONE",
    "NOT_READY",
    "PATIENTS_ONLY",
    "ComplianceApi",
    "ConsentApi",
    "ConsentGiveApi",
    "ConsentListApi",
    "ConsentWithdrawApi",
    "DataExportDetailApi",
    "DataExportDownloadApi",
    "DataExportListApi",
    "ExportGoneError",
    "ExportNotReadyError",
    "PrivacyApi",
    "PrivacyRequestDetailApi",
    "PrivacyRequestListApi",
    "PrivacyRequestWithdrawApi",
]
