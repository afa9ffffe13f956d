"""PHI canaries: a patient written through the app leaves no identifying value in the raw
database (SQLite file, PostgreSQL table dumps), in django-auditlog's diffs or in the audit log."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.db import connection

from audit.models import AuditEvent
from records import services
from records.tests.factories import patient_data

pytestmark = pytest.mark.django_db

CANARY = {
    "given_name": "Canarygiven Xq7",
    "family_name": "Canaryfamily Zv9",
    "email": "canary.zv9@example.test",
    "phone": "+1 555 0199 7731",
    "address": "77 Canary Wharf Lane, Canarytown",
    "national_id": "CANARY-NID-7731",
    "emergency_contact": "Canarycontact Person",
    "gender": "Canarygender",
}
CANARY_DOB = datetime.date(1913, 7, 31)


def canary_values(patient) -> list[str]:
    # Whole values only: a short fragment (four digits) turns up by chance in hashes and ciphertext.
    return [*CANARY.values(), patient.mrn, CANARY_DOB.isoformat()]


def write_canary_patient(receptionist, doctor):
    patient = services.patient_register(actor=receptionist, data=patient_data(**CANARY, date_of_birth=CANARY_DOB))
    services.patient_update(actor=receptionist, patient_id=patient.pk, data={"address": CANARY["address"] + " B"})
    services.care_team_add(actor=receptionist, patient_id=patient.pk, member=doctor, team_role="doctor")
    services.record_create(
        actor=doctor,
        patient_id=patient.pk,
        record_type_name="notes",
        data={"kind": "physician", "body": f"Seen {CANARY['given_name']} today"},
    )
    return patient


def _raw_database_bytes() -> bytes:
    """What reaches the disk: SQLite's database image, or a COPY dump of PostgreSQL's records and
    audit tables."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        # The exact bytes SQLite would write to its file (the test database lives in memory).
        return connection.connection.serialize()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND (tablename LIKE 'records_%%' OR tablename LIKE 'audit%%')"
        )
        tables = [row[0] for row in cursor.fetchall()]
        assert "records_patient" in tables
        dump = []
        for table in tables:
            with cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                dump.extend(bytes(block) for block in copy)
    return b"".join(dump)


def test_no_canary_in_the_raw_database(receptionist, doctor):
    patient = write_canary_patient(receptionist, doctor)
    raw = _raw_database_bytes()
    assert b"physician" in raw  # plaintext columns are there: the bytes really hold the rows
    for value in canary_values(patient):
        assert value.encode() not in raw, value


def test_no_canary_in_auditlog_diffs_or_the_audit_log(receptionist, doctor):
    patient = write_canary_patient(receptionist, doctor)
    entries = list(LogEntry.objects.all())
    assert entries, "django-auditlog recorded the changes"
    events = list(AuditEvent.objects.all())
    text = " ".join(
        [f"{entry.object_repr} {entry.changes} {entry.additional_data}" for entry in entries]
        + [f"{event.details} {event.record_type} {event.action}" for event in events]
    )
    for value in canary_values(patient):
        assert value not in text, value
    assert all(entry.actor_id in (receptionist.pk, doctor.pk) for entry in entries)
