import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.services.tokens import token_pair_issue
from records.tests.factories import add_to_care_team, register_patient


@pytest.fixture
def receptionist(make_user):
    return make_user(Role.RECEPTIONIST)


@pytest.fixture
def doctor(make_user):
    return make_user(Role.DOCTOR)


@pytest.fixture
def nurse(make_user):
    return make_user(Role.NURSE)


@pytest.fixture
def other_doctor(make_user):
    return make_user(Role.DOCTOR)


@pytest.fixture
def compliance(make_user):
    return make_user(Role.COMPLIANCE)


@pytest.fixture
def admin_user(make_user):
    return make_user(Role.ADMIN)


@pytest.fixture
def patient_user(make_user):
    return make_user(Role.PATIENT)


@pytest.fixture
def patient(receptionist, patient_user, doctor, nurse):
    """A registered patient with a portal account, `doctor` and `nurse` on the care team."""
    record = register_patient(actor=receptionist)
    record.user = patient_user
    record.save(update_fields=["user"])
    add_to_care_team(record, doctor, actor=receptionist)
    add_to_care_team(record, nurse, actor=receptionist)
    return record


@pytest.fixture(autouse=True)
def _documents_dir(settings, tmp_path):
    """Each test stores documents in its own folder."""
    settings.DOCUMENTS_DIR = tmp_path / "documents"
    return settings.DOCUMENTS_DIR


@pytest.fixture
def jwt_client():
    """An API client authenticated the way other systems are: a JWT access token, issued after
    the code step for staff (the `mfa` claim), after the password for patients."""

    def client_for(user):
        client = APIClient()
        pair = token_pair_issue(user=user, mfa=user.requires_mfa)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
        return client

    return client_for


@pytest.fixture
def verified():
    """A client signed in as `user` with a completed second factor (staff) or a password (patients)."""

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
