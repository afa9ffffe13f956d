"""Argon2id with OWASP-or-better parameters first; older hashes upgraded at the next login."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher, get_hasher, identify_hasher
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from accounts.hashers import HealthProArgon2PasswordHasher
from accounts.models import User

production_hashers = override_settings(PASSWORD_HASHERS=settings.PRODUCTION_PASSWORD_HASHERS)


def test_argon2id_with_at_least_owasp_parameters_comes_first_in_production():
    assert settings.PRODUCTION_PASSWORD_HASHERS[0] == "accounts.hashers.HealthProArgon2PasswordHasher"
    hasher = HealthProArgon2PasswordHasher()
    assert hasher.memory_cost >= 19456
    assert hasher.time_cost >= 2
    assert hasher.parallelism == 1


@production_hashers
def test_a_new_password_is_stored_as_argon2id_with_our_parameters():
    encoded = get_hasher("default").encode("Some-long-password-1", get_hasher("default").salt())
    assert encoded.startswith("argon2$argon2id$")
    decoded = get_hasher("argon2").decode(encoded)
    assert (decoded["memory_cost"], decoded["time_cost"], decoded["parallelism"]) == (65536, 3, 1)


def _sign_in(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


@pytest.mark.django_db
@production_hashers
@pytest.mark.parametrize(
    "old_hasher",
    [PBKDF2PasswordHasher(), Argon2PasswordHasher()],  # Argon2: Django's default m=100 MiB, t=2, p=8
    ids=["pbkdf2", "argon2-django-default"],
)
def test_an_older_hash_is_upgraded_at_the_next_successful_login(client, make_user, password, old_hasher):
    user = make_user()
    User.objects.filter(pk=user.pk).update(password=old_hasher.encode(password, old_hasher.salt()))

    response = _sign_in(client, user.email, password)

    assert response.status_code == 302
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"
    decoded = get_hasher("argon2").decode(user.password)
    assert (decoded["memory_cost"], decoded["time_cost"], decoded["parallelism"]) == (65536, 3, 1)


@pytest.mark.django_db
@production_hashers
def test_a_wrong_password_does_not_touch_an_old_hash(client, make_user, password):
    user = make_user()
    old = PBKDF2PasswordHasher().encode(password, "fixedsalt12345678")
    User.objects.filter(pk=user.pk).update(password=old)

    response = _sign_in(client, user.email, "Wrong-password-123!")

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password == old


def test_the_benchmark_command_prints_the_median_hash_time(capsys):
    with production_hashers:
        call_command("bench_password_hash", rounds=3)
    out = capsys.readouterr().out
    assert "HealthProArgon2PasswordHasher" in out
    assert "'memory_cost': 65536" in out
    assert "median" in out and " ms" in out
