"""The restore drill's fixtures: an age identity, seeded patients with records and documents, and
a fresh empty database to restore into (a new SQLite file, or a new PostgreSQL database that is
dropped afterwards)."""

import copy
import secrets

import psycopg
import pyrage
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import ManagementUtility
from django.db import connections
from django.db.utils import load_backend

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from healthpro.backups.database import pg_connect_params
from records import services
from records.tests.factories import patient_data

TARGET_ALIAS = "restore_target"
PDF = b"%%PDF-1.7\n%% backup drill document %d\n%%%%EOF\n"


@pytest.fixture
def age_identity(tmp_path):
    """(identity file, public key): the file as `age-keygen` writes it."""
    identity = pyrage.x25519.Identity.generate()
    path = tmp_path / "backup-identity.txt"
    path.write_text(f"# public key: {identity.to_public()}\n{identity}\n")
    return path, str(identity.to_public())


@pytest.fixture
def other_identity(tmp_path):
    path = tmp_path / "other-identity.txt"
    path.write_text(f"{pyrage.x25519.Identity.generate()}\n")
    return path


@pytest.fixture
def backup_settings(settings, tmp_path, age_identity):
    settings.DOCUMENTS_DIR = tmp_path / "documents"
    settings.BACKUP_AGE_RECIPIENTS = [age_identity[1]]
    return settings


@pytest.fixture
def seeded(transactional_db, backup_settings):
    """Three patients, each on a doctor's care team, with a note, a condition and a document."""
    receptionist = UserFactory(role=Role.RECEPTIONIST)
    doctor = UserFactory(role=Role.DOCTOR)
    patients = []
    for n in range(3):
        patient = services.patient_register(actor=receptionist, data=patient_data())
        services.care_team_add(actor=receptionist, patient_id=patient.pk, member=doctor, team_role="doctor")
        services.record_create(
            actor=doctor,
            patient_id=patient.pk,
            record_type_name="notes",
            data={"kind": "physician", "body": f"Seen {n}"},
        )
        services.record_create(
            actor=doctor,
            patient_id=patient.pk,
            record_type_name="conditions",
            data={"icd10_code": "J45.909", "description": f"Asthma {n}"},
        )
        services.document_upload(
            actor=doctor,
            patient_id=patient.pk,
            title=f"Lab result {n}",
            kind="lab_report",
            uploaded_file=SimpleUploadedFile("lab.pdf", PDF % n, content_type="application/pdf"),
        )
        patients.append(patient)
    return patients


def _target_settings(tmp_path) -> tuple[dict, str | None]:
    source = connections["default"]
    config = copy.deepcopy(source.settings_dict)
    if source.vendor == "sqlite":
        config["NAME"] = str(tmp_path / "restored.sqlite3")
        return config, None
    name = f"healthpro_restore_{secrets.token_hex(4)}"
    with psycopg.connect(**{**pg_connect_params("default"), "dbname": "postgres"}, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    config["NAME"] = name
    return config, name


@pytest.fixture
def restore_target(transactional_db, tmp_path):
    """A database alias on a fresh, empty database (not migrated)."""
    config, pg_name = _target_settings(tmp_path)
    # A connection made here, not an entry of settings.DATABASES: Django's test case allows such
    # dynamically created connections, and pytest-django does not try to create a test database.
    connections[TARGET_ALIAS] = load_backend(config["ENGINE"]).DatabaseWrapper(config, TARGET_ALIAS)
    yield TARGET_ALIAS
    connections[TARGET_ALIAS].close()
    del connections[TARGET_ALIAS]
    if pg_name:
        with psycopg.connect(**{**pg_connect_params("default"), "dbname": "postgres"}, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{pg_name}" WITH (FORCE)')


@pytest.fixture
def manage(capsys):
    """Run a command as `manage.py` does: (exit code, stdout, stderr)."""

    def run(*argv):
        code = 0
        try:
            ManagementUtility(["manage.py", *map(str, argv)]).execute()
        except SystemExit as exit_:
            code = exit_.code
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
