"""The audit log in Django admin: the compliance officer reads it; nobody edits it."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from audit.models import AuditEvent
from audit.services import record_security_event


@pytest.fixture
def event(db):
    return record_security_event(action="auth.login")


@pytest.mark.django_db
def test_compliance_officer_reads_the_log(otp_login, make_user, event):
    client = otp_login(make_user(Role.COMPLIANCE))
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    detail = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200
    assert b'name="action"' not in detail.content, "fields are read-only, not inputs"


@pytest.mark.django_db
def test_search_by_actor_id(otp_login, make_user):
    officer = make_user(Role.COMPLIANCE)
    client = otp_login(officer)
    record_security_event(action="auth.login", actor=officer)
    record_security_event(action="auth.logout")
    response = client.get(reverse("admin:audit_auditevent_changelist"), {"q": f"actor:{officer.pk}"})
    found = {event.action for event in response.context["cl"].result_list}
    assert "auth.login" in found and "auth.logout" not in found
    assert all(event.actor_id == officer.pk for event in response.context["cl"].result_list)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.COMPLIANCE, Role.ADMIN])
def test_nobody_edits_or_deletes_an_event_through_admin(otp_login, make_user, event, role):
    user = make_user(role)
    user.is_superuser = role is Role.ADMIN  # even a superuser
    user.save()
    client = otp_login(user)
    change = client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"action": "edited"})
    delete = client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"})
    add = client.get(reverse("admin:audit_auditevent_add"))
    assert change.status_code == 403 and delete.status_code == 403 and add.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == "auth.login"


@pytest.mark.django_db
def test_admin_role_without_superuser_cannot_read_the_log(otp_login, make_user, event):
    client = otp_login(make_user(Role.ADMIN))
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 403
