"""Test data for records, written through the services (so blind indexes and audit are real)."""

import datetime
import itertools

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from records import services

_sequence = itertools.count(1)


def patient_data(**overrides) -> dict:
    n = next(_sequence)
    data = {
        "given_name": f"Testgiven{n}",
        "family_name": f"Testfamily{n}",
        "date_of_birth": datetime.date(1980, 1, 1) + datetime.timedelta(days=n),
        "sex": "female",
        "gender": "woman",
        "email": f"patient{n}@example.test",
        "phone": f"+1 555 010 {n:04d}",
        "address": f"{n} Fictional Lane, Nowhere",
        "national_id": f"NID-{n:06d}",
        "emergency_contact": f"Contact Person {n}, +1 555 020 {n:04d}",
        "preferred_language": "en",
    }
    data.update(overrides)
    return data


def register_patient(*, actor=None, **overrides):
    actor = actor or UserFactory(role=Role.RECEPTIONIST)
    return services.patient_register(actor=actor, data=patient_data(**overrides))


def add_to_care_team(patient, member, *, actor=None):
    actor = actor or UserFactory(role=Role.RECEPTIONIST)
    team_role = member.role.value
    return services.care_team_add(actor=actor, patient_id=patient.pk, member=member, team_role=team_role)
