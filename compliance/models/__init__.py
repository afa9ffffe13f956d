from compliance.models.consents import ConsentDecision, ConsentPurpose, ConsentVersion
from compliance.models.reminders import AppointmentReminder

__all__ = ["AppointmentReminder", "ConsentDecision", "ConsentPurpose", "ConsentVersion"]
