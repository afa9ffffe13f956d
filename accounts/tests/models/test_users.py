import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.roles import Role


@pytest.mark.django_db
def test_email_is_the_login_and_is_stored_lowercase():
    user = User.objects.create_user(email="  Grace.Hopper@Example.TEST ", password="x" * 12)
    assert user.email == "grace.hopper@example.test"
    assert User.objects.get_by_natural_key("GRACE.HOPPER@example.test") == user


@pytest.mark.django_db
def test_a_second_account_with_the_same_email_in_another_case_is_refused():
    User.objects.create_user(email="ada@example.test", password="x" * 12)
    with pytest.raises(ValidationError):
        User.objects.create_user(email="ADA@example.test", password="x" * 12)


@pytest.mark.django_db
def test_the_database_refuses_a_case_variant_even_when_the_app_is_bypassed():
    User.objects.create_user(email="ada@example.test", password="x" * 12)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="Ada@Example.test")])


@pytest.mark.django_db
def test_str_carries_no_name_or_address(make_user):
    user = make_user(email="canary.person@example.test", full_name="Canary Person")
    assert "canary" not in str(user).lower()


@pytest.mark.django_db
def test_role_comes_from_the_group(make_user):
    assert make_user(Role.NURSE).role is Role.NURSE
    assert make_user(None).role is None


@pytest.mark.django_db
def test_staff_roles_require_mfa_and_patients_do_not(make_user):
    assert make_user(Role.RECEPTIONIST).requires_mfa
    assert not make_user(Role.PATIENT).requires_mfa
    assert make_user(None).requires_mfa, "an account without a role is treated as staff"
