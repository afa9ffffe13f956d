"""Forms of compliance's pages, one module per subject:
consents and the data inventory; data-subject requests and legal holds."""

from compliance.forms.consents import ConsentDecisionForm, InventoryFilterForm
from compliance.forms.requests import (
    DATE,
    KINDS_WITHOUT_VALUES,
    OFFLINE_CHANNELS,
    AssignForm,
    CompleteForm,
    ExtendForm,
    Kind,
    LegalHoldLiftForm,
    LegalHoldPlaceForm,
    RectificationApplyForm,
    RectificationRequestForm,
    RefuseForm,
    RequestOpenForm,
    RequestRecordForm,
    RestrictionLiftForm,
    VerifyIdentityForm,
)

__all__ = [
    "DATE",
    "KINDS_WITHOUT_VALUES",
    "OFFLINE_CHANNELS",
    "AssignForm",
    "CompleteForm",
    "ConsentDecisionForm",
    "ExtendForm",
    "InventoryFilterForm",
    "Kind",
    "LegalHoldLiftForm",
    "LegalHoldPlaceForm",
    "RectificationApplyForm",
    "RectificationRequestForm",
    "RefuseForm",
    "RequestOpenForm",
    "RequestRecordForm",
    "RestrictionLiftForm",
    "VerifyIdentityForm",
]
