from dataclasses import dataclass, field

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.services.tokens import token_pair_issue
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
def verified():
    """A page client signed in as `user`, with a completed second factor for staff."""

    def login(user):
        client = Client()
        client.force_login(user)
        if user.role.is_staff_role:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return login


@pytest.fixture
def page_client(verified):
    """The same sign-in as `verified`, by the name the request tests use."""
    return verified


@pytest.fixture
def jwt_client():
    """An API client with a JWT access token, as the API issues it."""

    def client_for(user):
        client = APIClient()
        pair = token_pair_issue(user=user, mfa=user.requires_mfa)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
        return client

    return client_for


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
