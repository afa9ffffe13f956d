"""Benchmark of a data-subject export: one patient with --records records (default 1,000, mixed:
encounters, notes, problems, medications, allergies, observations, appointments) and --documents
documents, in a throwaway database (Django's test database machinery, as bench_records: a
separate SQLite file under var/, or test_<name> on PostgreSQL) with throwaway document and export
folders, so development data is never touched.

Prints the time export_build takes (--runs runs, median and slowest), the archive's size (zip, and
on disk encrypted), the size of data.json and fhir-bundle.json inside it, the number of FHIR
resources, and the peak Python memory of one build (tracemalloc, a separate run: tracing slows it).
Figures are printed, not asserted.
"""

import datetime
import io
import os
import random
import statistics
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import override_settings, setup_test_environment, teardown_test_environment
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from audit.services import record_access
from compliance.exports.storage import decrypted_chunks
from compliance.services.exports import export_build
from records.blind_index import blind_index
from records.fields import encrypt_bytes
from records.models import (
    Allergy,
    Appointment,
    CareTeamMembership,
    ClinicalNote,
    Condition,
    Document,
    Encounter,
    Medication,
    Observation,
    Patient,
)
from records.storage import new_storage_name, write_document_file

# The share of each kind among the records (observations dominate a real chart).
MIX = {
    "observation": 0.40,
    "note": 0.20,
    "encounter": 0.15,
    "appointment": 0.09,
    "medication": 0.08,
    "condition": 0.05,
    "allergy": 0.03,
}
ACCESS_EVENTS = 200


class Command(BaseCommand):
    help = "Build the data-subject export of a patient with 1,000 records and print its time and size."

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, default=1000, help="Clinical records of the patient.")
        parser.add_argument("--documents", type=int, default=10, help="Documents of the patient.")
        parser.add_argument("--document-kb", type=int, default=200, help="Size of each document, in KB.")
        parser.add_argument("--runs", type=int, default=5, help="Timed builds.")

    def handle(self, *args, records, documents, document_kb, runs, **options):
        setup_test_environment()
        if connection.vendor == "sqlite":
            bench_file = Path(settings.BASE_DIR) / "var" / "bench-export.sqlite3"
            bench_file.unlink(missing_ok=True)
            connection.settings_dict.setdefault("TEST", {})["NAME"] = str(bench_file)
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            with (
                tempfile.TemporaryDirectory(prefix="bench-export-") as folder,
                override_settings(DOCUMENTS_DIR=Path(folder) / "documents", EXPORTS_DIR=Path(folder) / "exports"),
            ):
                self.run(records, documents, document_kb, runs)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()

    def make_user(self, role: Role, name: str) -> User:
        user = User.objects.create_user(email=f"{name}@bench.invalid", full_name=name, password=None)
        user.groups.add(Group.objects.get(name=role.value))
        return user

    def run(self, records, documents, document_kb, runs):
        started = time.perf_counter()
        patient_user = self.make_user(Role.PATIENT, "bench-patient")
        patient = self.seed(records, documents, document_kb, patient_user)
        self.stdout.write(
            f"Database: {connection.vendor}. One patient: {records:,} records, {documents} documents of "
            f"{document_kb} KB, {ACCESS_EVENTS} access events (seeded in {time.perf_counter() - started:.1f} s)."
        )
        timings, export = [], None
        for _ in range(runs):
            began = time.perf_counter()
            export = export_build(actor=patient_user, patient_id=patient.pk)
            timings.append(time.perf_counter() - began)
            if export.status != "ready":
                raise RuntimeError("the export failed")
        archive = zipfile.ZipFile(io.BytesIO(b"".join(decrypted_chunks(export.storage_name))))
        sizes = {info.filename: (info.file_size, info.compress_size) for info in archive.infolist()}
        resources = archive.read("fhir-bundle.json").count(b'"fullUrl"')
        tracemalloc.start()
        export_build(actor=patient_user, patient_id=patient.pk)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        kb = 1024
        self.stdout.write(
            f"  export_build        median {statistics.median(timings):6.2f} s   slowest {max(timings):6.2f} s"
            f"   ({runs} runs)"
        )
        self.stdout.write(
            f"  archive             {export.size / kb / kb:6.2f} MB zip   {export.stored_size / kb / kb:6.2f} MB "
            f"encrypted on disk   {len(sizes)} files"
        )
        for name in ("data.json", "fhir-bundle.json"):
            plain, packed = sizes[name]
            self.stdout.write(f"  {name:<19} {plain / kb / kb:6.2f} MB   ({packed / kb / kb:.2f} MB deflated)")
        self.stdout.write(f"  FHIR resources      {resources:,}")
        self.stdout.write(f"  peak Python memory  {peak / kb / kb:6.2f} MB (one build, tracemalloc)")

    def seed(self, records, documents, document_kb, patient_user) -> Patient:
        randomizer = random.Random(11)  # noqa: S311 (synthetic data)
        now = timezone.now()
        doctor = self.make_user(Role.DOCTOR, "bench-doctor")
        mrn, family, given, born = "BEN00000001", "Benchexport", "Pat", datetime.date(1970, 5, 17)
        patient = Patient.objects.create(
            mrn=mrn,
            given_name=given,
            family_name=family,
            date_of_birth=born,
            sex="female",
            email="bench-export@example.invalid",
            phone="+15550000001",
            address="1 Bench Street, Benchtown",
            user=patient_user,
            mrn_index=blind_index("mrn", mrn),
            family_name_index=blind_index("family_name", family),
            given_name_index=blind_index("given_name", given),
            date_of_birth_index=blind_index("date_of_birth", born),
            email_index=blind_index("email", "bench-export@example.invalid"),
            phone_index=blind_index("phone", "+15550000001"),
        )
        CareTeamMembership.objects.create(
            patient=patient, member=doctor, team_role="doctor", started_at=now, added_by=doctor
        )
        counts = {kind: int(records * share) for kind, share in MIX.items()}
        counts["observation"] += records - sum(counts.values())

        def when(number):
            return now - datetime.timedelta(hours=number * 7)

        encounters = Encounter.objects.bulk_create(
            Encounter(
                patient=patient,
                occurred_at=when(n),
                kind=randomizer.choice(["office_visit", "telehealth", "emergency"]),
                reason=f"Review number {n}: breathlessness on exertion, sleeping poorly.",
                clinician=doctor,
                status="finished",
            )
            for n in range(counts["encounter"])
        )
        ClinicalNote.objects.bulk_create(
            ClinicalNote(
                patient=patient,
                encounter=encounters[n % len(encounters)] if encounters and n % 2 == 0 else None,
                author=doctor,
                kind="physician",
                body=("Seen for review. Chest clear, heart sounds normal, plan unchanged. " * 6) + str(n),
                status="signed",
                signed_at=when(n),
                signed_by=doctor,
            )
            for n in range(counts["note"])
        )
        Observation.objects.bulk_create(
            Observation(
                patient=patient,
                code="8867-4",
                name="Heart rate",
                value=str(randomizer.randint(50, 120)),
                unit="/min",
                reference_low=50,
                reference_high=100,
                observed_at=when(n),
                recorded_by=doctor,
            )
            for n in range(counts["observation"])
        )
        Appointment.objects.bulk_create(
            Appointment(
                patient=patient,
                clinician=doctor,
                starts_at=when(n),
                ends_at=when(n) + datetime.timedelta(minutes=20),
                reason="Follow-up",
                status="completed",
            )
            for n in range(counts["appointment"])
        )
        Medication.objects.bulk_create(
            Medication(
                patient=patient,
                drug=f"Drug {n}",
                dose="10 mg",
                route="oral",
                frequency="once daily",
                start_date=when(n).date(),
                prescriber=doctor,
            )
            for n in range(counts["medication"])
        )
        Condition.objects.bulk_create(
            Condition(patient=patient, icd10_code="J45.909", description=f"Asthma {n}", recorded_by=doctor)
            for n in range(counts["condition"])
        )
        Allergy.objects.bulk_create(
            Allergy(patient=patient, substance=f"Substance {n}", severity="mild", recorded_by=doctor)
            for n in range(counts["allergy"])
        )
        for n in range(documents):
            content = b"\x89PNG\r\n\x1a\n" + os.urandom(document_kb * 1024 - 8)
            storage_name = new_storage_name()
            write_document_file(storage_name, encrypt_bytes(content))
            Document.objects.create(
                patient=patient,
                title=f"Scan {n}",
                kind="imaging",
                content_type="image/png",
                size=len(content),
                storage_name=storage_name,
                uploaded_by=doctor,
            )
        for _ in range(ACCESS_EVENTS):
            record_access(
                actor=doctor, patient_id=patient.pk, record_type="patient", action="patient.read", purpose="care_team"
            )
        return patient
