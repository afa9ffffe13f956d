"""API sign-in speed and the lockout under parallel attack, as figures (not assertions).

Creates a throw-away patient account with the production password hashers (Argon2id), measures
POST /api/v1/auth/token/ (right password) sequentially for p50/p95, then fires 50 and 200
parallel wrong passwords at it and prints how many real Argon2 checks ran. Removes the account
and its lockout records afterwards. Run it on the database and cache you want measured
(PostgreSQL + Redis for production figures: SQLite serializes writers).
"""

import secrets
import statistics
import time
from unittest import mock

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test import Client, override_settings

from accounts.api.views import AuthApi
from accounts.login_race import API_TOKEN_PATH, client_host, fire_wrong_passwords
from accounts.models import User
from accounts.roles import Role
from accounts.services.lockout import attempts_clear
from accounts.services.users import user_create


class Command(BaseCommand):
    help = "Print API login p50/p95 and the real password checks under 50 and 200 parallel wrong attempts."

    def add_arguments(self, parser):
        parser.add_argument("--logins", type=int, default=30, help="sequential successful logins to time")
        parser.add_argument("--parallel", type=int, nargs="*", default=[50, 200])
        parser.add_argument("--max-in-flight", type=int, default=80)

    def handle(self, *args, logins, parallel, max_in_flight, **options):
        hashers = getattr(settings, "PRODUCTION_PASSWORD_HASHERS", settings.PASSWORD_HASHERS)
        password = secrets.token_urlsafe(18)
        with override_settings(PASSWORD_HASHERS=hashers):
            user = user_create(
                actor=None,
                email=f"bench-login-{secrets.token_hex(6)}@bench.invalid",
                full_name="Login benchmark",
                role=Role.PATIENT,
                password=password,
            )
            try:
                self._time_logins(user, password, logins)
                for attempts in parallel:
                    remote_addr = f"198.51.100.{secrets.randbelow(250) + 1}"
                    result = fire_wrong_passwords(
                        email=user.email, attempts=attempts, max_in_flight=max_in_flight, remote_addr=remote_addr
                    )
                    attempts_clear(username=user.email, ip=remote_addr)
                    self.stdout.write(
                        f"{attempts} parallel wrong passwords: {result.password_checks} real password checks "
                        f"(limit {settings.AXES_FAILURE_LIMIT}), {result.server_errors} answers 5xx, "
                        f"statuses {dict(sorted(result.statuses.items()))}, {result.seconds:.2f} s"
                    )
            finally:
                User.objects.filter(pk=user.pk).delete()

    def _time_logins(self, user, password, logins):
        client = Client(REMOTE_ADDR="198.51.100.254", HTTP_HOST=client_host())
        durations = []
        with mock.patch.object(AuthApi, "throttle_classes", []):
            for _ in range(logins):
                started = time.perf_counter()
                response = client.post(
                    API_TOKEN_PATH,
                    {"email": user.email, "password": password},
                    content_type="application/json",
                    secure=True,
                )
                durations.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    self.stderr.write(f"login answered {response.status_code}; stopping")
                    return
        quantiles = statistics.quantiles(durations, n=20)
        self.stdout.write(
            f"API login (POST {API_TOKEN_PATH}, Argon2id), {logins} sequential: "
            f"p50 {statistics.median(durations):.1f} ms, p95 {quantiles[18]:.1f} ms"
        )
