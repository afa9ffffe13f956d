from dataclasses import dataclass, field

import pytest

from accounts.roles import Role
from compliance.models import ConsentPurpose
from compliance.selectors import consent_purpose_get
from compliance.tests.factories import patient_with_account
from core.background import run_in_process
from records.tests.factories import add_to_care_team, register_patient


@pytest.fixture
def officer(make_user):
    return make_user(Role.COMPLIANCE)


@pytest.fixture
def other_officer(make_user):
    return make_user(Role.COMPLIANCE)


@pytest.fixture
def receptionist(make_user):
    return make_user(Role.RECEPTIONIST)


@pytest.fixture
def doctor(make_user):
    return make_user(Role.DOCTOR)


@pytest.fixture
def compliance_officer(make_user):
    return make_user(Role.COMPLIANCE)


def _patient_with_account(make_user, receptionist, **overrides):
    record = register_patient(actor=receptionist, **overrides)
    record.user = make_user(Role.PATIENT)
    record.save(update_fields=["user"])
    return record


@pytest.fixture
def patient(make_user, receptionist, doctor):
    """A registered patient with a portal account, `doctor` on the care team."""
    record = _patient_with_account(make_user, receptionist)
    add_to_care_team(record, doctor, actor=receptionist)
    return record


@pytest.fixture
def other_patient(make_user, receptionist):
    """Another patient with a portal account, on nobody's care team."""
    return _patient_with_account(make_user, receptionist)


@pytest.fixture
def subject(db):
    """(patient, portal account) of the request's data subject."""
    return patient_with_account()


@pytest.fixture
def other_subject(db):
    return patient_with_account()


@pytest.fixture
def reminders_purpose(db):
    return consent_purpose_get(key=ConsentPurpose.EMAIL_REMINDERS)


@pytest.fixture
def page_client(verified):
    """The same sign-in as `verified`, by the name the request tests use."""
    return verified


@pytest.fixture(autouse=True)
def _files_dirs(settings, tmp_path):
    """Each test stores documents and exports in its own folders."""
    settings.DOCUMENTS_DIR = tmp_path / "documents"
    settings.EXPORTS_DIR = tmp_path / "exports"
    return settings.EXPORTS_DIR


@dataclass
class HeldJobs:
    """Background jobs enqueued and not yet run, as for a worker that has not picked them up."""

    jobs: list = field(default_factory=list)

    def run(self) -> None:
        while self.jobs:
            name, ids = self.jobs.pop(0)
            assert run_in_process(name, *ids)


@pytest.fixture
def builds_held(monkeypatch):
    """Export builds wait until `builds_held.run()`: the export stays "preparing" meanwhile."""
    held = HeldJobs()
    monkeypatch.setattr("compliance.services.exports.enqueue", lambda name, *ids: held.jobs.append((name, ids)))
    return held
