"""Second factor: TOTP enrollment (confirmed by a code), recovery codes, and the code step
(`second_factor_check`, the one used by the sign-in page, the token API and the admin login).

Every write here is atomic and audited. No code, secret or token ever reaches an audit row or a log.

- A TOTP device counts only once a valid code has confirmed it: django-otp's own verify_token
  accepts codes on an unconfirmed device, so sign-in goes through `second_factor_check`, which asks
  django_otp.match_token (or the chosen device, when it is confirmed), which only looks at confirmed
  devices.
- A TOTP code cannot be replayed: django-otp's TOTPDevice keeps the last time step used (last_t)
  and refuses it and any earlier step.
- Recovery codes (accounts.models.mfa) are random, shown once, stored as HMAC-SHA256 under a key
  derived from SECRET_KEY; codes made under one of SECRET_KEY_FALLBACKS work until it is removed.
"""

import base64
import enum
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_otp import match_token
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import EndReason, RecoveryCode, RecoveryCodeDevice, User
from accounts.models.mfa import recovery_code_digest
from accounts.services import lockout
from accounts.services.emails import email_queue
from accounts.services.sessions import user_end_sessions
from audit.services import Outcome, record_security_event

RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: codes are read off paper and typed by hand.
RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 12  # about 59 bits each
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


def totp_secret(device: TOTPDevice) -> str:
    """The device secret as authenticator apps take it (base32, no padding)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def totp_device_start(*, user) -> TOTPDevice:
    """The user's pending (unconfirmed) authenticator, created on first call. It does not count
    for sign-in until `totp_device_confirm` accepts a code from it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def _replace_recovery_codes(user) -> list[str]:
    device, _ = RecoveryCodeDevice.objects.get_or_create(
        user=user, defaults={"name": RECOVERY_DEVICE_NAME, "confirmed": True}
    )
    device.codes.all().delete()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode(device=device, code_digest=recovery_code_digest(c)) for c in codes)
    return codes


def _end_other_sessions(user, *, actor, except_session_key: str | None) -> None:
    """An MFA change ends the user's other browser sessions and all their refresh tokens: whoever
    held them signed in under the old second factor."""
    user_end_sessions(user=user, except_session_key=except_session_key, reason=EndReason.MFA_CHANGE, actor=actor)


@transaction.atomic
def totp_device_confirm(
    *, actor, device: TOTPDevice, code: str, current_session_key: str | None = None
) -> list[str] | None:
    """Confirm the pending device with a code from it. Returns the new recovery codes (to be
    shown once), or None when the code is wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=actor, confirmed=False)
    if not device.verify_token(code):
        record_security_event(action="mfa.enroll", outcome=Outcome.FAILURE, actor=actor, target_user=actor)
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    codes = _replace_recovery_codes(actor)
    _end_other_sessions(actor, actor=actor, except_session_key=current_session_key)
    record_security_event(action="mfa.enroll", actor=actor, target_user=actor, details={"recovery_codes": len(codes)})
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, actor, current_session_key: str | None = None) -> list[str]:
    """New recovery codes for the actor; the old ones stop working. Returns them, to show once."""
    codes = _replace_recovery_codes(actor)
    _end_other_sessions(actor, actor=actor, except_session_key=current_session_key)
    record_security_event(
        action="mfa.recovery_codes_regenerate", actor=actor, target_user=actor, details={"count": len(codes)}
    )
    return codes


@transaction.atomic
def mfa_reset(*, actor, user) -> None:
    """An administrator removes the user's authenticator and recovery codes (a lost phone). The
    user's sessions and refresh tokens end; at the next sign-in a staff user must enrol again."""
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    _end_other_sessions(user, actor=actor, except_session_key=None)
    record_security_event(action="mfa.reset", actor=actor, target_user=user)


class SecondFactorOutcome(enum.Enum):
    VERIFIED = "verified"
    WRONG_CODE = "wrong_code"
    LOCKED_OUT = "locked_out"


@dataclass(frozen=True)
class SecondFactorResult:
    outcome: SecondFactorOutcome
    device: Device | None = None


def _device_accepting(*, user: User, code: str, device: Device | None) -> Device | None:
    if device is None:
        return match_token(user, code) if code else None
    if device.user_id != user.pk or not device.confirmed or not device.verify_is_allowed()[0]:
        return None
    return device if device.verify_token(code) else None


def mfa_verify(*, user: User, code: str, device: Device | None = None) -> Device | None:
    """A TOTP code or a recovery code, from `device` or else from any confirmed device of the user.

    Returns the device that accepted it, or None. Audited either way; a used recovery code is
    also e-mailed to the user (someone may have their codes)."""
    code = (code or "").strip()
    device = _device_accepting(user=user, code=code, device=device)
    if device is None:
        record_security_event(action="mfa.verify", outcome=Outcome.FAILURE, actor=user, target_user=user)
        return None
    kind = "recovery_code" if isinstance(device, RecoveryCodeDevice) else "totp"
    record_security_event(action="mfa.verify", actor=user, target_user=user, details={"method": kind})
    if kind == "recovery_code":
        remaining = device.remaining
        record_security_event(
            action="mfa.recovery_code_use", actor=user, target_user=user, details={"remaining": remaining}
        )
        email_queue(
            template="recovery_code_used",
            recipient=user,
            context={"remaining": remaining, "used_at": timezone.now().isoformat()},
        )
    return device


def second_factor_check(*, request, user: User, code: str, sender, device: Device | None = None) -> SecondFactorResult:
    """The code step of a sign-in whose password `user` has passed, for every entry point.

    First the lockout: an account + client that is locked or out of attempts is refused without
    checking the code; otherwise the step reserves its slot. Then the code (audited; a recovery
    code is e-mailed to the user). A right code gives the slot back; a wrong one keeps it and
    counts as a failed sign-in for django-axes, as a wrong password does, and may lock the client
    out. `device` is the device the user chose, where the entry
    point offers a choice (the admin login); without one, any confirmed device of the user.

    The caller completes the sign-in on VERIFIED (and then clears the attempt counters with
    lockout.attempts_clear), and answers LOCKED_OUT with its own lockout response.
    """
    if not lockout.second_factor_allowed(request, user=user):
        return SecondFactorResult(SecondFactorOutcome.LOCKED_OUT)
    accepted = mfa_verify(user=user, code=code, device=device)
    if accepted is None:
        if lockout.record_failure(request, username=user.email, sender=sender):
            return SecondFactorResult(SecondFactorOutcome.LOCKED_OUT)
        return SecondFactorResult(SecondFactorOutcome.WRONG_CODE)
    lockout.second_factor_passed(request, user=user)
    return SecondFactorResult(SecondFactorOutcome.VERIFIED, accepted)
