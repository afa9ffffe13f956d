"""Patient self-registration with e-mail verification, and staff invitations.

Enumeration: signup and resend answer the same whatever the address, and do comparable work.
Signup for a new address creates the account (one password hash, its queries) and queues the
verification e-mail (an outbox row, sent after commit: accounts.services.emails); for a known
address it rehearses that creation, its outbox row included, for a stand-in address in a
transaction it rolls back (the same hash and queries, nothing kept), records the failure and
queues the account a notice (or its verification link again, when still unverified): one e-mail
rendered from a pair of templates and sent, either way. Resend queues one e-mail (or, for an
unknown address, rehearses queueing it).
"""

import secrets

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import ActivationKind, User
from accounts.roles import Role
from accounts.selectors import user_get_by_email
from accounts.services.emails import email_queue, email_queue_rehearsal
from accounts.services.users import user_set_role
from audit.services import Outcome, record_security_event
from core.rate_limits import rate_limit_hit


def account_email_rate_limited(*, scope: str, email: str, client_ip: str | None) -> bool:
    return rate_limit_hit(
        scope=scope,
        key=f"{User.objects.normalize_email(email)}|{client_ip or ''}",
        limit=settings.ACCOUNT_EMAIL_RATE_LIMIT_PER_HOUR,
        window_seconds=3600,
    )


@transaction.atomic
def _send_verification(user: User, base_url: str) -> None:
    """A new verification link (older ones stop working), made when the e-mail is sent."""
    user.activation_sent_at = timezone.now()
    user.save(update_fields=["activation_sent_at"])
    email_queue(template="verify_email", recipient=user, base_url=base_url)


REHEARSAL_DOMAIN = "signup-rehearsal.invalid"


def _patient_account_create(*, email: str, full_name: str, password: str) -> User:
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        is_active=False,
        activation_pending=ActivationKind.SIGNUP,
    )
    user_set_role(actor=None, user=user, role=Role.PATIENT)
    record_security_event(action="account.signup", actor=None, target_user=user)
    return user


def _patient_account_create_rehearsal(*, full_name: str, password: str) -> None:
    """The work of creating an account and its verification link, undone: a known address costs
    what a new one does. The stand-in address is random under a reserved domain, so it never
    meets a real account; its rows, audit rows included, are rolled back. It writes no outbox row:
    the notice the known address gets next is queued and sent as a new address's verification
    e-mail is (one outbox row, one message rendered and sent after commit)."""
    with transaction.atomic():
        stand_in = _patient_account_create(
            email=f"{secrets.token_hex(16)}@{REHEARSAL_DOMAIN}", full_name=full_name, password=password
        )
        stand_in.activation_sent_at = timezone.now()
        stand_in.save(update_fields=["activation_sent_at"])
        transaction.set_rollback(True)


def patient_signup(*, email: str, full_name: str, password: str, base_url: str, client_ip: str | None) -> None:
    """Register a patient account, inactive until the e-mailed link is opened.

    The caller has validated the password. Whatever happens, the caller shows the same answer.
    """
    email = User.objects.normalize_email(email)
    if account_email_rate_limited(scope="signup", email=email, client_ip=client_ip):
        make_password(password)
        record_security_event(action="account.signup", outcome=Outcome.FAILURE, details={"reason": "rate_limited"})
        return
    existing = user_get_by_email(email=email)
    if existing is None:
        try:
            with transaction.atomic():
                user = _patient_account_create(email=email, full_name=full_name, password=password)
                _send_verification(user, base_url)
            return
        except (IntegrityError, ValidationError):  # registered by a parallel request a moment ago; hashed already
            existing = user_get_by_email(email=email)
    else:
        _patient_account_create_rehearsal(full_name=full_name, password=password)
    record_security_event(
        action="account.signup", outcome=Outcome.FAILURE, target_user=existing, details={"reason": "address_in_use"}
    )
    if existing is None:
        return
    if existing.activation_pending == ActivationKind.SIGNUP:
        _send_verification(existing, base_url)
    else:
        email_queue(template="signup_existing_account", recipient=existing, base_url=base_url)


def verification_resend(*, email: str, base_url: str, client_ip: str | None) -> None:
    """Send a new verification link to an account awaiting one. Same answer for any address."""
    email = User.objects.normalize_email(email)
    if account_email_rate_limited(scope="verification_resend", email=email, client_ip=client_ip):
        record_security_event(
            action="account.verification_resend", outcome=Outcome.FAILURE, details={"reason": "rate_limited"}
        )
        return
    user = user_get_by_email(email=email)
    if user is None or user.is_active or user.activation_pending != ActivationKind.SIGNUP:
        # Comparable work: queue the same e-mail for a throw-away account, keep and send nothing.
        stand_in = User(pk=0, email=email, activation_pending=ActivationKind.SIGNUP, password=secrets.token_hex(8))
        email_queue_rehearsal(template="verify_email", stand_in=stand_in, base_url=base_url)
        record_security_event(
            action="account.verification_resend", outcome=Outcome.FAILURE, details={"reason": "no_pending_account"}
        )
        return
    _send_verification(user, base_url)
    record_security_event(action="account.verification_resend", target_user=user)


@transaction.atomic
def email_verify(*, user: User) -> User:
    """The verification link was valid (checked by the caller): activate the account."""
    user.is_active = True
    user.activation_pending = ""
    user.email_verified_at = timezone.now()
    user.save(update_fields=["is_active", "activation_pending", "email_verified_at"])
    record_security_event(action="account.email_verified", actor=user, target_user=user)
    return user


def invitation_prepare(user: User) -> None:
    """Mark a new (unsaved) account as an invitation: no password, inactive until accepted."""
    user.set_unusable_password()
    user.is_active = False
    user.activation_pending = ActivationKind.INVITATION


@transaction.atomic
def invitation_send(*, actor: User | None, user: User, base_url: str) -> bool:
    """E-mail (again) the invitation link of an account awaiting it; older links stop working."""
    if user.activation_pending != ActivationKind.INVITATION:
        record_security_event(
            action="account.invitation_send",
            outcome=Outcome.FAILURE,
            actor=actor,
            target_user=user,
            details={"reason": "not_pending"},
        )
        return False
    user.activation_sent_at = timezone.now()
    user.save(update_fields=["activation_sent_at"])
    email_queue(template="invitation", recipient=user, base_url=base_url)
    record_security_event(action="account.invitation_send", actor=actor, target_user=user)
    return True


@transaction.atomic
def invitation_accept(*, user: User, password: str) -> User:
    """The invitation link was valid and the password passed the validators (checked by the
    caller): verify the address, set the password and activate, in one step. No sign-in: the
    person signs in next, with the second factor their role requires."""
    user.set_password(password)
    user.is_active = True
    user.activation_pending = ""
    user.email_verified_at = timezone.now()
    user.save(update_fields=["password", "is_active", "activation_pending", "email_verified_at"])
    record_security_event(action="account.invitation_accept", actor=user, target_user=user)
    return user
