import os

import pytest
from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.services.tokens import token_pair_issue
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from tests.cache import clear_cache
from tests.commits import commits_emulated


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` run only on PostgreSQL, and those marked `worker` (a real Celery
    worker, which reaches the test database from its own process) only on PostgreSQL with
    REDIS_URL set. Without them they are skipped, unless REQUIRE_POSTGRES=1 (set by CI's
    PostgreSQL and Redis run), where their absence is an error: CI must never pass by skipping them."""
    on_postgres = connection.vendor == "postgresql"
    with_redis = bool(os.environ.get("REDIS_URL"))
    if on_postgres and with_redis:
        return
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        if not on_postgres:
            raise pytest.UsageError("REQUIRE_POSTGRES=1 but the test database is not PostgreSQL.")
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but REDIS_URL is not set (the worker tests need it).")
    skip_postgres = pytest.mark.skip(reason="needs PostgreSQL (CI runs it with DATABASE_URL)")
    skip_worker = pytest.mark.skip(reason="needs PostgreSQL and Redis for a real worker (CI runs it with REDIS_URL)")
    for item in items:
        if "worker" in item.keywords:
            item.add_marker(skip_worker)
        elif "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_postgres)


@pytest.fixture
def password():
    return TEST_PASSWORD


@pytest.fixture
def make_user(db):
    def make(role: Role | str | None = Role.PATIENT, **kwargs):
        """An account with `role`: by default a patient (as signup makes); make(None) for one
        without a role, which is treated as staff (User.requires_mfa)."""
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def user(make_user):
    """A signed-up account, so a patient (tests of the plumbing that need someone signed in). An
    account without a role is treated as staff and owes a second factor (User.requires_mfa)."""
    return make_user()


@pytest.fixture
def otp_login(client):
    """Sign `user` in on the test client with a confirmed TOTP device, as a completed second
    factor: what the admin site (OTPAdminSite) and staff pages require."""

    def login(user):
        device = TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return login


@pytest.fixture
def verified():
    """A client of its own per `user`, signed in with a completed second factor (staff) or a
    password (patients)."""

    def login(user):
        client = Client()
        client.force_login(user)
        if user.role.is_staff_role:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return login


@pytest.fixture
def jwt_client():
    """An API client with a JWT access token, as the API issues it."""

    def client_for(user):
        client = APIClient()
        pair = token_pair_issue(user=user, mfa=user.requires_mfa)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
        return client

    return client_for


@pytest.fixture(autouse=True)
def _empty_cache_for_every_test():
    """Lockout counters and throttles live in the cache: every test starts, and leaves, with none."""
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture(autouse=True)
def _commits_run_on_commit_callbacks():
    """E-mails and background jobs run after commit: inside the test database's transaction the
    application's own commits are emulated (tests/commits.py), so tests see what follows them."""
    with commits_emulated():
        yield
