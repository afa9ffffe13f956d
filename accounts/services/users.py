"""Accounts and their role: create, set the role, activate or deactivate."""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from accounts.models import ActivationKind, EndReason, User
from accounts.roles import Role
from accounts.services.sessions import user_end_sessions
from audit.services import SYSTEM_ACTOR, record_security_event


@transaction.atomic
def user_set_role(*, actor: User | None, user: User, role: Role | None) -> User:
    """Give `user` exactly one role (or none). Admin-site access follows the role."""
    previous = user.role
    role_names = [r.value for r in Role]
    user.groups.remove(*Group.objects.filter(name__in=role_names))
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
    user.is_staff = bool(role and role.uses_admin_site) or user.is_superuser
    user.save(update_fields=["is_staff"])
    if previous != role:
        record_security_event(
            action="account.role_change",
            actor=actor,
            target_user=user,
            details={"from": previous.value if previous else None, "to": role.value if role else None},
        )
        # Sessions and refresh tokens issued under the old role end with it.
        user_end_sessions(user=user, reason=EndReason.ROLE_CHANGE, actor=actor)
    return user


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    email: str,
    full_name: str,
    role: Role | None,
    password: str | None = None,
    invitation: bool = False,
) -> User:
    """Create an account with its role. Without a password the account cannot sign in until one is set.

    An `invitation` has no password and stays inactive until the person opens the e-mailed link
    (the caller sends it: accounts.services.registration.invitation_send)."""
    extra = {"is_active": False, "activation_pending": ActivationKind.INVITATION} if invitation else {}
    user = User.objects.create_user(
        email=email, password=None if invitation else password, full_name=full_name, **extra
    )
    record_security_event(action="account.create", actor=actor, target_user=user)
    user_set_role(actor=actor, user=user, role=role)
    return user


@transaction.atomic
def user_set_active(*, actor: User | None, user: User, active: bool) -> User:
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        record_security_event(
            action="account.activate" if active else "account.deactivate", actor=actor, target_user=user
        )
        if not active:
            user_end_sessions(user=user, reason=EndReason.DEACTIVATION, actor=actor)
    return user


@transaction.atomic
def admin_create_first(*, email: str, full_name: str, password: str) -> User:
    """An administrator made by an operator's command (`manage.py create_admin`), audited as
    `account.create` by the actor "system". The password policy applies (ValidationError). The
    admin role needs a second factor: at the first sign-in the account must enrol an authenticator
    (TOTP) before any page or the admin opens."""
    validate_password(password, user=User(email=email, full_name=full_name))
    return user_create(actor=SYSTEM_ACTOR, email=email, full_name=full_name, role=Role.ADMIN, password=password)
