"""What each event carries: the request's id, the trusted client address (never a client-forged
X-Forwarded-For), the actor; logins, failed logins and logouts are recorded, without secrets."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from audit.models import AuditEvent
from audit.services import record_access, record_security_event

WRONG_PASSWORD = "Wrong-Password-Canary-77!"


def _login(client, email, password, **headers):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, **headers)


@pytest.mark.django_db
def test_a_login_is_recorded_with_the_request_id_and_client_address(client, make_user, password):
    user = make_user(Role.NURSE)
    response = _login(client, user.email, password, REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="auth.login", outcome="success")
    assert event.actor_id == user.pk and event.target_user_id == user.pk
    assert event.actor_role == "nurse"
    assert event.request_id == response["X-Request-ID"]
    assert event.client_ip == "198.51.100.20"


@pytest.mark.django_db
def test_a_failed_login_is_recorded_without_the_password_or_the_address(client, make_user):
    user = make_user()
    _login(client, user.email, WRONG_PASSWORD)
    event = AuditEvent.objects.get(action="auth.login", outcome="failure")
    assert event.target_user_id == user.pk
    assert event.details == {"known_account": True}
    for row in AuditEvent.objects.values():
        flattened = repr(row)
        assert WRONG_PASSWORD not in flattened
        assert user.email not in flattened


@pytest.mark.django_db
def test_a_failed_login_for_an_unknown_address_names_no_account(client):
    _login(client, "nobody@example.test", WRONG_PASSWORD)
    event = AuditEvent.objects.get(action="auth.login", outcome="failure")
    assert event.target_user_id is None
    assert event.details == {"known_account": False}


@pytest.mark.django_db
def test_a_logout_is_recorded(client, make_user):
    user = make_user()
    client.force_login(user)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="auth.logout")
    assert event.actor_id == user.pk
    assert event.request_id == response["X-Request-ID"]


@pytest.mark.django_db
def test_without_trusted_proxies_a_forged_forwarded_for_is_not_recorded(client, settings, make_user, password):
    settings.TRUSTED_PROXY_COUNT = 0
    user = make_user()
    _login(client, user.email, password, REMOTE_ADDR="198.51.100.20", HTTP_X_FORWARDED_FOR="203.0.113.66")
    event = AuditEvent.objects.get(action="auth.login", outcome="success")
    assert event.client_ip == "198.51.100.20"


@pytest.mark.django_db
def test_behind_one_proxy_the_client_is_what_the_proxy_saw_not_what_the_client_wrote(
    client, settings, make_user, password
):
    settings.TRUSTED_PROXY_COUNT = 1
    user = make_user()
    # The client sends "203.0.113.66"; our proxy appends the address it really saw.
    _login(client, user.email, password, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.20")
    event = AuditEvent.objects.get(action="auth.login", outcome="success")
    assert event.client_ip == "198.51.100.20"


@pytest.mark.django_db
def test_a_garbage_forwarded_for_falls_back_to_the_peer(client, settings, make_user, password):
    settings.TRUSTED_PROXY_COUNT = 1
    user = make_user()
    _login(client, user.email, password, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="<script>, not-an-ip")
    event = AuditEvent.objects.get(action="auth.login", outcome="success")
    assert event.client_ip == "10.0.0.2"


@pytest.mark.django_db
def test_every_response_has_a_fresh_request_id(client):
    first = client.get(reverse("accounts:login"))["X-Request-ID"]
    second = client.get(reverse("accounts:login"))["X-Request-ID"]
    assert len(first) == 32 and first != second


@pytest.mark.django_db
def test_a_client_cannot_choose_its_request_id(client):
    response = client.get(reverse("accounts:login"), HTTP_X_REQUEST_ID="attacker-chosen")
    assert response["X-Request-ID"] != "attacker-chosen"


@pytest.mark.django_db
def test_events_outside_a_request_have_no_request_fields(make_user):
    event = record_security_event(action="system.job", actor=make_user(Role.ADMIN))
    assert event.request_id == "" and event.client_ip is None and event.actor_role == "admin"


@pytest.mark.django_db
def test_an_access_event_records_patient_kind_action_and_purpose(make_user):
    doctor = make_user(Role.DOCTOR)
    event = record_access(
        actor=doctor, patient_id=42, record_type="medication", action="read", purpose="care_team", record_id=9
    )
    event.refresh_from_db()
    assert (event.category, event.patient_id, event.record_type, event.record_id, event.purpose) == (
        "access",
        42,
        "medication",
        "9",
        "care_team",
    )


@pytest.mark.django_db
def test_str_names_no_person():
    event = record_security_event(action="auth.login")
    assert str(event) == f"Audit event #{event.pk} auth.login (success)"
