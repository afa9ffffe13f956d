"""On every account form: a POST without a valid CSRF token is refused with
the 403 page and changes nothing, whoever is signed in (the test client skips CSRF checks unless
told; these clients enforce them, as browsers meet them)."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import UserSession
from accounts.roles import Role
from accounts.tests.helpers import force_verified_login
from accounts.tests.mfa_helpers import confirmed_device, totp_code
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ANONYMOUS_FORMS = ["accounts:login", "accounts:signup", "accounts:verification_resend", "accounts:password_reset"]
SIGNED_IN_FORMS = [
    "accounts:password_change",
    "accounts:mfa_setup",
    "accounts:mfa_recovery_codes",
    "accounts:sessions_end_others",
    "accounts:logout",
]


def signed_in(user) -> Client:
    """A doctor signed in with the second factor done, in a browser that enforces CSRF."""
    return force_verified_login(Client(enforce_csrf_checks=True), user)


@pytest.mark.parametrize("name", ANONYMOUS_FORMS)
@pytest.mark.parametrize("token", [None, "forged-token-" + "x" * 51])
def test_anonymous_forms_refuse_a_post_without_a_valid_token(name, token, make_user, password, mailoutbox):
    patient = make_user(Role.PATIENT)
    client = Client(enforce_csrf_checks=True)
    data = {"username": patient.email, "email": patient.email, "password": password}
    if token:
        data["csrfmiddlewaretoken"] = token
    events = AuditEvent.objects.count()
    response = client.post(reverse(name), data)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    assert mailoutbox == []
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("name", SIGNED_IN_FORMS)
def test_signed_in_forms_refuse_a_post_without_a_token(name, make_user, password):
    doctor = make_user(Role.DOCTOR)
    client = signed_in(doctor)
    sessions = set(UserSession.objects.filter(ended_at__isnull=True).values_list("pk", flat=True))
    new_password = "Fresh-Lantern-Rope-42"
    response = client.post(
        reverse(name), {"old_password": password, "new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == 403
    doctor.refresh_from_db()
    assert doctor.check_password(password)
    assert set(UserSession.objects.filter(ended_at__isnull=True).values_list("pk", flat=True)) == sessions
    assert "_auth_user_id" in client.session, "still signed in: the sign-out was refused too"


def test_the_code_step_refuses_a_code_without_a_token(make_user, password):
    doctor = make_user(Role.DOCTOR)
    device = confirmed_device(doctor)
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("accounts:login"))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    credentials = {"username": doctor.email, "password": password, "csrfmiddlewaretoken": token}
    assert client.post(reverse("accounts:login"), credentials).status_code == 302
    response = client.post(reverse("accounts:mfa_verify"), {"code": totp_code(device)})
    assert response.status_code == 403
    assert client.get(reverse("dashboard")).status_code == 302, "still owes the code"
