"""Test data for compliance, written through the services (so the timeline and audit are real)."""

import datetime

from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from compliance.services import incidents


def officer():
    return UserFactory(role=Role.COMPLIANCE)


def incident_data(**overrides) -> dict:
    now = timezone.now()
    data = {
        "title": "Laptop left on a train",
        "category": "lost_device",
        "severity": "high",
        "description": "An unencrypted laptop with a clinic spreadsheet was lost.",
        "detection_method": "staff_report",
        "detected_by": "Front desk",
        "detected_at": now - datetime.timedelta(hours=1),
        "aware_at": now - datetime.timedelta(minutes=30),
        "affected_count_estimate": 0,
        "data_categories": ["identifying", "clinical"],
        "audit_event_ids": [],
    }
    data.update(overrides)
    return data


def open_incident(*, actor=None, **overrides):
    return incidents.incident_open(actor=actor or officer(), data=incident_data(**overrides))


ASSESSMENT = {
    "nature_and_extent": "Names, dates of birth and diagnoses of 12 patients.",
    "unauthorised_recipient": "Unknown member of the public.",
    "acquired_or_viewed": "unknown",
    "mitigation": "Remote wipe requested; not confirmed.",
    "hipaa_outcome": "breach",
    "gdpr_risk": "high",
}
