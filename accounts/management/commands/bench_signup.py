"""Signup page timing for a known and an unknown address, as figures (not assertions).

The page answers the same for both, and should take as long. With the
production password hashers (Argon2id), posts the signup form `--tries` times for the address of
an existing, verified patient and as often for a fresh address, interleaved (known, unknown,
known, ...), each try from its own client address so that the per-address e-mail limit never
answers instead. Prints each path's median, the median of the paired differences (unknown minus
known) and the queries of one try of each. Removes the accounts it created afterwards; their
audit rows stay (the log is append-only). Run it on a throw-away database.
"""

import secrets
import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from accounts.login_race import client_host
from accounts.models import User
from accounts.roles import Role
from accounts.services.users import user_create

SIGNUP_PATH = "/accounts/signup/"
BENCH_DOMAIN = "bench-signup.invalid"


class Command(BaseCommand):
    help = "Print the signup page's median time for a known and an unknown address, and their paired difference."

    def add_arguments(self, parser):
        parser.add_argument("--tries", type=int, default=30, help="tries of each path, interleaved")

    def handle(self, *args, tries, **options):
        hashers = getattr(settings, "PRODUCTION_PASSWORD_HASHERS", settings.PASSWORD_HASHERS)
        run = secrets.token_hex(4)
        with override_settings(PASSWORD_HASHERS=hashers):
            known = user_create(
                actor=None,
                email=f"known-{run}@{BENCH_DOMAIN}",
                full_name="Signup benchmark",
                role=Role.PATIENT,
                password=secrets.token_urlsafe(18),
            )
            try:
                self._measure(known.email, run, tries)
            finally:
                User.objects.filter(email__endswith=f"-{run}@{BENCH_DOMAIN}").delete()
                User.objects.filter(email__startswith=f"new-{run}-", email__endswith=f"@{BENCH_DOMAIN}").delete()

    def _post(self, email: str, number: int) -> tuple[float, int, int]:
        client = Client(REMOTE_ADDR=f"198.51.{100 + number // 250}.{number % 250 + 1}", HTTP_HOST=client_host())
        password = f"Kx7!{secrets.token_urlsafe(15)}"
        data = {"full_name": "Signup benchmark", "email": email, "password1": password, "password2": password}
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.post(SIGNUP_PATH, data, secure=True)
            elapsed = (time.perf_counter() - started) * 1000
        return elapsed, response.status_code, len(queries)

    def _measure(self, known_email: str, run: str, tries: int) -> None:
        known_times, unknown_times, statuses, queries = [], [], set(), {}
        for number in range(tries):
            elapsed, status, count = self._post(known_email, 2 * number)
            known_times.append(elapsed)
            statuses.add(("known", status))
            queries["known"] = count
            elapsed, status, count = self._post(f"new-{run}-{number}@{BENCH_DOMAIN}", 2 * number + 1)
            unknown_times.append(elapsed)
            statuses.add(("unknown", status))
            queries["unknown"] = count
        differences = [unknown - known for known, unknown in zip(known_times, unknown_times, strict=True)]
        self.stdout.write(
            f"Signup page (POST {SIGNUP_PATH}, {hashers_label()}), {tries} interleaved pairs: "
            f"known address median {statistics.median(known_times):.1f} ms, "
            f"unknown address median {statistics.median(unknown_times):.1f} ms, "
            f"paired difference (unknown - known) median {statistics.median(differences):+.1f} ms"
        )
        self.stdout.write(
            f"statuses {sorted(statuses)}; queries per try: known {queries['known']}, unknown {queries['unknown']}"
        )


def hashers_label() -> str:
    return settings.PASSWORD_HASHERS[0].rsplit(".", 1)[-1]
