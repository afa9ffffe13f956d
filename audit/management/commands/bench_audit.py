import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from audit.services import record_access
from audit.verification import verify_chain


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Measure the cost of writing one audit event (lock, read of the chain head, HMAC, insert) and "
        "of verifying the chain. Runs inside a transaction that is rolled back: the log is left as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=2000)

    def handle(self, *args, events, **options):
        durations = []
        try:
            with transaction.atomic():
                for n in range(events):
                    started = time.perf_counter()
                    # Each event in its own savepoint, as when a service records inside its transaction.
                    record_access(
                        actor=None,
                        patient_id=n,
                        record_type="patient",
                        action="read",
                        purpose="care_team",
                        details={"bench": True},
                    )
                    durations.append(time.perf_counter() - started)
                started = time.perf_counter()
                report = verify_chain()
                verify_seconds = time.perf_counter() - started
                raise _Rollback
        except _Rollback:
            pass

        micros = sorted(d * 1e6 for d in durations)
        p95 = micros[int(len(micros) * 0.95) - 1]
        self.stdout.write(f"database: {connection.vendor}, events written: {events}")
        self.stdout.write(
            f"audit write per event: mean {statistics.fmean(micros):.0f} us, "
            f"p50 {statistics.median(micros):.0f} us, p95 {p95:.0f} us"
        )
        self.stdout.write(
            f"verify_audit_log: {report.rows_checked} rows in {verify_seconds * 1000:.0f} ms "
            f"({report.rows_checked / verify_seconds:,.0f} rows/s), chain {'intact' if report.ok else 'BROKEN'}"
        )
