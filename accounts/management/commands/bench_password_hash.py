"""Median time of one password hash with the first PASSWORD_HASHERS entry (Argon2id in production).

python manage.py bench_password_hash --rounds 21
"""

import statistics
import time

from django.contrib.auth.hashers import get_hasher
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print the median hashing time of the production password hasher."

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=21)
        parser.add_argument("--hasher", default="default", help="algorithm name, e.g. argon2 (default: the first)")

    def handle(self, *args, rounds, hasher, **options):
        password_hasher = get_hasher(hasher)
        salt = password_hasher.salt()
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            password_hasher.encode("Bench-password-2026!", salt)
            times.append(time.perf_counter() - started)
        params = {
            name: getattr(password_hasher, name)
            for name in ("time_cost", "memory_cost", "parallelism", "iterations")
            if hasattr(password_hasher, name)
        }
        self.stdout.write(
            f"{type(password_hasher).__module__}.{type(password_hasher).__name__} {params}: "
            f"median {statistics.median(times) * 1000:.1f} ms, min {min(times) * 1000:.1f} ms, "
            f"max {max(times) * 1000:.1f} ms over {rounds} hashes"
        )
