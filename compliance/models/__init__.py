"""The models of compliance, one module per subject; imported here so `compliance.models.X` works."""

from compliance.models.consents import ConsentDecision, ConsentPurpose, ConsentVersion
from compliance.models.exports import DataExport
from compliance.models.reminders import AppointmentReminder

__all__ = ["AppointmentReminder", "ConsentDecision", "ConsentPurpose", "ConsentVersion", "DataExport"]
