import pytest
from django.contrib.auth.models import Group, Permission

from accounts.roles import INCLUDES, Role, permissions_for, sync_roles


@pytest.mark.django_db
def test_every_role_exists_as_a_group_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


@pytest.mark.django_db
def test_groups_hold_exactly_the_declared_permissions_that_exist():
    for role in Role:
        group = Group.objects.get(name=role.value)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted <= permissions_for(role)


@pytest.mark.django_db
def test_sync_removes_a_permission_granted_by_hand():
    admin_group = Group.objects.get(name=Role.ADMIN.value)
    stray = Permission.objects.get(codename="view_auditevent")
    admin_group.permissions.add(stray)
    sync_roles()
    assert not admin_group.permissions.filter(pk=stray.pk).exists()


def test_doctor_includes_nurse_and_no_role_includes_admin_or_compliance():
    assert permissions_for(Role.NURSE) <= permissions_for(Role.DOCTOR)
    for includes in INCLUDES.values():
        assert Role.ADMIN not in includes
        assert Role.COMPLIANCE not in includes


def test_admin_and_compliance_have_no_clinical_permissions():
    for role in (Role.ADMIN, Role.COMPLIANCE):
        assert not {p for p in permissions_for(role) if p.startswith("records.")}


def test_receptionist_has_no_clinical_permissions():
    clinical = ("encounter", "clinicalnote", "condition", "medication", "allergy", "observation", "document")
    assert not {p for p in permissions_for(Role.RECEPTIONIST) if any(p.endswith(c) for c in clinical)}


def test_only_patients_are_exempt_from_mfa():
    assert [role for role in Role if not role.is_staff_role] == [Role.PATIENT]
