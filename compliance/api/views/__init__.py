"""Compliance's API: the patient's own consents and data-subject requests."""

from compliance.api.views.consents import ConsentApi, ConsentGiveApi, ConsentListApi, ConsentWithdrawApi
from compliance.api.views.requests import (
    PATIENTS_ONLY,
    PrivacyApi,
    PrivacyRequestDetailApi,
    PrivacyRequestListApi,
    PrivacyRequestWithdrawApi,
)

__all__ = [
    "PATIENTS_ONLY",
    "ConsentApi",
    "ConsentGiveApi",
    "ConsentListApi",
    "ConsentWithdrawApi",
    "PrivacyApi",
    "PrivacyRequestDetailApi",
    "PrivacyRequestListApi",
    "PrivacyRequestWithdrawApi",
]
