"""Benchmark of the records' hot paths at 10,000 and 100,000 patients.

Runs in a throwaway database (Django's test database machinery: a separate SQLite file under
var/, or test_<name> on PostgreSQL), so the development data is never touched. Seeds patients
with records by bulk_create (encryption and blind indexes included), then, for each size,
prints p50 and p95 of:

- search by family name + date of birth (POST /api/v1/patients/search/)
- chart read through the API (GET /api/v1/patients/{id}/chart/)
- list page of 50 (GET /api/v1/patients/?page=N&page_size=50)

and the SQL queries per request (list pages of 10 and 50 too, to show the count does not grow
with the page size). Then the medians of a patient the caller may not see against an id that does
not exist (GET /api/v1/patients/{id}/ and .../chart/, alternating, by a doctor on no care team):
both answer the same 404 and must take the same time, or the time tells a hidden patient apart.
Every request goes through the full stack: authentication, policies, audit event, serialization;
10 unmeasured requests warm up each measurement. Figures are printed, not asserted.
"""

import datetime
import random
import secrets
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.roles import Role
from accounts.services.tokens import token_pair_issue
from records.blind_index import blind_index
from records.models import Allergy, CareTeamMembership, ClinicalNote, Observation, Patient

BATCH = 2000
# Unmeasured requests before each measurement (caches, connections, first-use imports).
WARM_UP = 10
SURNAMES = [f"Benchfamily{number:04d}" for number in range(2000)]


class Command(BaseCommand):
    help = "Seed 10,000 then 100,000 patients in a throwaway database and print p50/p95 of the hot paths."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="10000,100000", help="Comma-separated patient counts, ascending.")
        parser.add_argument("--samples", type=int, default=60, help="Requests per measurement.")

    def handle(self, *args, sizes, samples, **options):
        sizes = sorted(int(size) for size in sizes.split(","))
        setup_test_environment()
        if connection.vendor == "sqlite":
            bench_file = Path(settings.BASE_DIR) / "var" / "bench.sqlite3"
            bench_file.unlink(missing_ok=True)
            connection.settings_dict.setdefault("TEST", {})["NAME"] = str(bench_file)
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            self.run(sizes, samples)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()

    def run(self, sizes, samples):
        randomizer = random.Random(7)  # noqa: S311 (synthetic data)
        seeded = []  # (patient id, family name, date of birth)
        added_by = self.make_user(Role.RECEPTIONIST, "bench-seed")
        doctor = self.make_user(Role.DOCTOR, "bench-doctor")
        self.stdout.write(f"Database: {connection.vendor}. {samples} requests per measurement.")
        for size in sizes:
            started = time.perf_counter()
            self.seed(len(seeded), size, seeded, doctor, added_by, randomizer)
            with connection.cursor() as cursor:
                # Steady state, as autovacuum (PostgreSQL: statistics and the visibility map that
                # index-only counts need) or a maintenance job (SQLite: statistics) keeps it.
                cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
            self.stdout.write(f"\n== {size:,} patients (seeded in {time.perf_counter() - started:.1f} s)")
            self.measure(size, samples, seeded, doctor, randomizer)

    def make_user(self, role: Role, name: str) -> User:
        user = User.objects.create_user(email=f"{name}@bench.invalid", full_name=name, password=None)
        user.groups.add(Group.objects.get(name=role.value))
        return user

    def seed(self, start, stop, seeded, doctor, added_by, randomizer):
        now = timezone.now()
        for batch_start in range(start, stop, BATCH):
            batch_stop = min(batch_start + BATCH, stop)
            patients = []
            for number in range(batch_start, batch_stop):
                family = randomizer.choice(SURNAMES)
                given = f"Benchgiven{number}"
                born = datetime.date(1930, 1, 1) + datetime.timedelta(days=randomizer.randrange(30000))
                mrn = f"BEN{number:08d}"
                email = f"bench{number}@example.invalid"
                phone = f"+1555{number:07d}"
                patients.append(
                    Patient(
                        mrn=mrn,
                        given_name=given,
                        family_name=family,
                        date_of_birth=born,
                        sex="unknown",
                        email=email,
                        phone=phone,
                        address=f"{number} Bench Street, Benchtown",
                        mrn_index=blind_index("mrn", mrn),
                        family_name_index=blind_index("family_name", family),
                        given_name_index=blind_index("given_name", given),
                        date_of_birth_index=blind_index("date_of_birth", born),
                        email_index=blind_index("email", email),
                        phone_index=blind_index("phone", phone),
                    )
                )
            Patient.objects.bulk_create(patients)
            # SQLite and PostgreSQL both return the ids of bulk-created rows.
            seeded.extend((patient.pk, patient.family_name, patient.date_of_birth) for patient in patients)
            CareTeamMembership.objects.bulk_create(
                CareTeamMembership(patient=p, member=doctor, team_role="doctor", started_at=now, added_by=added_by)
                for p in patients
            )
            ClinicalNote.objects.bulk_create(
                ClinicalNote(patient=p, author=doctor, kind="physician", body="Seen for review; stable.")
                for p in patients
            )
            Allergy.objects.bulk_create(
                Allergy(patient=p, substance="Penicillin", severity="mild", recorded_by=doctor) for p in patients
            )
            Observation.objects.bulk_create(
                Observation(
                    patient=p,
                    code="8867-4",
                    name="Heart rate",
                    value="72",
                    unit="/min",
                    observed_at=now,
                    recorded_by=doctor,
                )
                for p in patients
            )

    def measure(self, size, samples, seeded, doctor, randomizer):
        def client_for(user) -> APIClient:
            # A bearer token as the API issues it after the code step: authentication is measured too.
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_issue(user=user, mfa=True)['access']}")
            return client

        def fresh_receptionist() -> APIClient:
            # One account per measurement, so that the per-user API throttle is never reached.
            return client_for(self.make_user(Role.RECEPTIONIST, f"bench-reception-{size}-{secrets.token_hex(4)}"))

        def search(client):
            _, family, born = randomizer.choice(seeded)
            return client.post(
                "/api/v1/patients/search/",
                {"family_name": family, "date_of_birth": born.isoformat()},
                format="json",
                secure=True,
            )

        def chart(client):
            patient_id = randomizer.choice(seeded)[0]
            return client.get(f"/api/v1/patients/{patient_id}/chart/", secure=True)

        def list_page(page_size):
            def request(client):
                page = randomizer.randint(1, 20)
                return client.get("/api/v1/patients/", {"page": page, "page_size": page_size}, secure=True)

            return request

        for label, request, make_client in (
            ("search name+DOB", search, fresh_receptionist),
            ("chart read (API)", chart, lambda: client_for(doctor)),
            ("list page of 50", list_page(50), fresh_receptionist),
            ("list page of 10", list_page(10), fresh_receptionist),
        ):
            client = make_client()
            timings, queries = [], []
            for _ in range(WARM_UP):
                request(client)
            for _ in range(samples):
                connection.queries_log.clear()
                with CaptureQueriesContext(connection) as captured:
                    began = time.perf_counter()
                    response = request(client)
                    timings.append((time.perf_counter() - began) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"{label}: HTTP {response.status_code}")
                queries.append(len(captured.captured_queries))
            p50 = statistics.median(timings)
            p95 = statistics.quantiles(timings, n=20)[-1]
            self.stdout.write(
                f"  {label:<18} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   "
                f"SQL queries/request {min(queries)}-{max(queries)}"
            )
        self.measure_hidden_against_missing(size, samples, seeded, client_for)

    def measure_hidden_against_missing(self, size, samples, seeded, client_for):
        """Alternating requests for a hidden patient and a missing id, each answered 404."""
        hidden_id = seeded[len(seeded) // 2][0]
        missing_id = seeded[-1][0] + 1_000_000
        for label, template in (("patient", "/api/v1/patients/{}/"), ("chart", "/api/v1/patients/{}/chart/")):
            # A fresh doctor on no care team per figure: the per-user throttle stays out of it.
            client = client_for(self.make_user(Role.DOCTOR, f"bench-outsider-{size}-{secrets.token_hex(4)}"))
            timings = {"hidden": [], "missing": []}
            queries = {"hidden": set(), "missing": set()}
            for _ in range(WARM_UP):
                client.get(template.format(hidden_id), secure=True)
                client.get(template.format(missing_id), secure=True)
            for _ in range(samples):
                for kind, patient_id in (("hidden", hidden_id), ("missing", missing_id)):
                    with CaptureQueriesContext(connection) as captured:
                        began = time.perf_counter()
                        response = client.get(template.format(patient_id), secure=True)
                        timings[kind].append((time.perf_counter() - began) * 1000)
                    if response.status_code != 404:
                        raise RuntimeError(f"{label} {kind}: HTTP {response.status_code}")
                    queries[kind].add(len(captured.captured_queries))
            self.stdout.write(
                f"  {label + ' 404 hidden/missing':<27} p50 {statistics.median(timings['hidden']):6.2f} / "
                f"{statistics.median(timings['missing']):6.2f} ms   SQL queries/request "
                f"{sorted(queries['hidden'])} / {sorted(queries['missing'])}"
            )
