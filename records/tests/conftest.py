import pytest

from accounts.roles import Role
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
