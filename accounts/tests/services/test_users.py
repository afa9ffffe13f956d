import pytest

from accounts.roles import Role
from accounts.services.users import user_create, user_set_active, user_set_role
from audit.models import AuditEvent


@pytest.mark.django_db
def test_role_change_is_exclusive_audited_and_drives_admin_access(make_user):
    admin = make_user(Role.ADMIN)
    user = make_user(Role.RECEPTIONIST)
    user_set_role(actor=admin, user=user, role=Role.COMPLIANCE)
    user.refresh_from_db()
    assert user.role is Role.COMPLIANCE
    assert list(user.groups.values_list("name", flat=True)) == ["compliance"]
    assert user.is_staff
    event = AuditEvent.objects.get(action="account.role_change", target_user_id=user.pk)
    assert event.actor_id == admin.pk
    assert event.details == {"from": "receptionist", "to": "compliance"}

    user_set_role(actor=admin, user=user, role=Role.DOCTOR)
    user.refresh_from_db()
    assert not user.is_staff, "clinical roles do not use the admin site"


@pytest.mark.django_db
def test_setting_the_same_role_again_records_nothing(make_user):
    user = make_user(Role.NURSE)
    user_set_role(actor=None, user=user, role=Role.NURSE)
    assert not AuditEvent.objects.filter(action="account.role_change").exists()


@pytest.mark.django_db
def test_create_and_deactivate_are_audited_without_the_password(make_user):
    admin = make_user(Role.ADMIN)
    user = user_create(
        actor=admin, email="new.nurse@example.test", full_name="New Nurse", role=Role.NURSE, password="Pw-canary-123456"
    )
    user_set_active(actor=admin, user=user, active=False)
    user.refresh_from_db()
    assert not user.is_active
    actions = list(AuditEvent.objects.filter(target_user_id=user.pk).values_list("action", flat=True))
    assert actions == ["account.create", "account.role_change", "account.deactivate"]
    for event in AuditEvent.objects.all():
        assert "Pw-canary" not in str(event.details)
