"""HealthPro's password hasher: Argon2id with parameters above OWASP's minimum.

OWASP's Password Storage Cheat Sheet asks for at least m=19 MiB, t=2, p=1. We use m=64 MiB, t=3,
p=1 (RFC 9106's second recommended option, single lane): about 150 ms per hash on our 2-vCPU
machines (`manage.py bench_password_hash`, figure in the README). One lane because a web worker
hashes one password at a time and more lanes only buy speed for a parallel attacker's hardware.

The algorithm name stays "argon2", so hashes made by Django's own Argon2PasswordHasher (m=100 MiB,
t=2, p=8) are read by this class too; their parameters differ from ours, so `must_update` is true
and Django re-hashes the password at the next successful login, as it does for PBKDF2 hashes.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class HealthProArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 3
    memory_cost = 65536  # KiB
    parallelism = 1
