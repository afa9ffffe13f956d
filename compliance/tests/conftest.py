import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.services.tokens import token_pair_issue
from compliance.tests.factories import patient_with_account


@pytest.fixture
def officer(make_user):
    return make_user(Role.COMPLIANCE)


@pytest.fixture
def other_officer(make_user):
    return make_user(Role.COMPLIANCE)


@pytest.fixture
def receptionist(make_user):
    return make_user(Role.RECEPTIONIST)


@pytest.fixture
def subject(db):
    """(patient, portal account) of the request's data subject."""
    return patient_with_account()


@pytest.fixture
def other_subject(db):
    return patient_with_account()


@pytest.fixture
def page_client():
    """A browser-like client signed in as `user`: staff with a completed second factor."""

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
    def client_for(user):
        client = APIClient()
        pair = token_pair_issue(user=user, mfa=user.requires_mfa)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
        return client

    return client_for
