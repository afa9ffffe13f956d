"""JWT for the API (djangorestframework-simplejwt), with MFA, rotation and reuse detection.

- Access tokens live 5 minutes and carry `mfa` (true only when issued after the code step);
  refresh tokens at most 24 hours, rotated on every use, the used one blacklisted.
- Presenting a refresh token that was already rotated or revoked is treated as theft: every
  refresh token of that user is revoked and a security event is recorded.
- Outstanding refresh tokens are listed in the database by id (jti) only: the token text is not
  stored, so a database reader cannot use them.
- The MFA token (after a right password, for an account with MFA) is a JWT of its own type
  (`mfa_pending`), valid a few minutes, accepted only by the code step and only once: the access
  token authentication (type `access`) refuses it. A code step claims it before checking the code,
  so parallel code steps with one token check one code and consume nothing else.
- Key rotation: tokens are always signed under the current key (SIMPLE_JWT's SIGNING_KEY); a token
  signed under one of JWT_PREVIOUS_SIGNING_KEYS is accepted too, with every other check unchanged,
  until that key is removed from the list.
"""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token
from rest_framework_simplejwt.utils import datetime_from_epoch, get_md5_hash_password

from accounts.models import User
from accounts.selectors import user_get_active
from audit.services import Outcome, record_security_event

NOT_STORED = "(not stored)"
# The claim of a token pair that says the code step was passed (accounts.api.permissions reads it).
MFA_CLAIM = "mfa"


class InvalidTokenUse(Exception):
    """A token that is malformed, expired, of the wrong type, revoked, or whose user cannot sign in."""


class MfaPendingToken(Token):
    token_type = "mfa_pending"  # noqa: S105  (a type name)
    lifetime = timedelta(seconds=settings.MFA_TOKEN_SECONDS)


def _user_claims(token: Token, user: User) -> None:
    token[api_settings.USER_ID_CLAIM] = str(user.pk)
    token[api_settings.REVOKE_TOKEN_CLAIM] = get_md5_hash_password(user.password)


def _previous_key_backends() -> list[TokenBackend]:
    """simplejwt's backend (algorithm, audience, issuer, leeway) under each earlier signing key."""
    return [
        TokenBackend(
            api_settings.ALGORITHM,
            key,
            audience=api_settings.AUDIENCE,
            issuer=api_settings.ISSUER,
            leeway=api_settings.LEEWAY,
            json_encoder=api_settings.JSON_ENCODER,
        )
        for key in settings.JWT_PREVIOUS_SIGNING_KEYS
    ]


def _verified_payload(raw: str) -> dict:
    """Signature, algorithm, expiry, audience and issuer checked by simplejwt's backend, under the
    current signing key, else under one of JWT_PREVIOUS_SIGNING_KEYS."""
    for backend in [token_backend, *_previous_key_backends()]:
        try:
            return backend.decode(raw, verify=True)
        except TokenBackendError:
            continue
    raise InvalidTokenUse


def access_token_under_previous_key(raw: str) -> AccessToken | None:
    """An access token signed under one of JWT_PREVIOUS_SIGNING_KEYS, with simplejwt's claim checks
    (type, expiry, id) as for any access token; None when no earlier key verifies it."""
    if isinstance(raw, bytes):
        raw = raw.decode("latin-1")
    for backend in _previous_key_backends():
        try:
            backend.decode(raw, verify=True)
        except TokenBackendError:
            continue
        try:
            # The signature was verified just above, under the earlier key.
            token = AccessToken(raw, verify=False)
            token.verify()
        except TokenError:
            return None
        return token
    return None


def _decode(raw: str, *, token_type: str) -> dict:
    """The verified payload (_verified_payload); then the type."""
    payload = _verified_payload(str(raw or ""))
    if payload.get(api_settings.TOKEN_TYPE_CLAIM) != token_type or not payload.get(api_settings.JTI_CLAIM):
        raise InvalidTokenUse
    return payload


def _active_user(payload: dict) -> User:
    user = user_get_active(user_id=payload.get(api_settings.USER_ID_CLAIM))
    if user is None or payload.get(api_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password):
        raise InvalidTokenUse
    return user


def _issue_pair(user: User, *, mfa: bool) -> dict:
    refresh = RefreshToken()
    _user_claims(refresh, user)
    refresh[MFA_CLAIM] = mfa
    OutstandingToken.objects.create(
        user=user,
        jti=refresh[api_settings.JTI_CLAIM],
        token=NOT_STORED,
        created_at=refresh.current_time,
        expires_at=datetime_from_epoch(refresh["exp"]),
    )
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


@transaction.atomic
def token_pair_issue(*, user: User, mfa: bool) -> dict:
    """A new access + refresh pair after a completed sign-in (`mfa`: the code step was passed)."""
    pair = _issue_pair(user, mfa=mfa)
    record_security_event(action="auth.token_issue", actor=user, target_user=user, details={"mfa": mfa})
    return pair


def mfa_token_issue(*, user: User) -> str:
    token = MfaPendingToken()
    _user_claims(token, user)
    record_security_event(action="auth.mfa_challenge", actor=user, target_user=user)
    return str(token)


def mfa_token_user(raw: str) -> tuple[User, str]:
    """The user an unused, valid MFA token names, and its id (jti)."""
    payload = _decode(raw, token_type=MfaPendingToken.token_type)
    jti = payload[api_settings.JTI_CLAIM]
    if cache.get(_used_mfa_token_key(jti)):
        raise InvalidTokenUse
    return _active_user(payload), jti


def mfa_token_claim(jti: str) -> bool:
    """Claim the MFA token for one code step, before any code is checked; False if another request
    holds it or it was used (parallel code steps: one is checked, the others refused untouched).
    A claim that ends in a right code keeps the token used; otherwise mfa_token_release."""
    return cache.add(_used_mfa_token_key(jti), 1, settings.MFA_TOKEN_SECONDS + 60)


def mfa_token_release(jti: str) -> None:
    """The claimed code step did not pass (a wrong code, a lockout): the token may be tried again,
    within the lockout's limit, until it expires."""
    cache.delete(_used_mfa_token_key(jti))


def _used_mfa_token_key(jti: str) -> str:
    return f"accounts:mfa-token-used:{jti}"


def refresh_tokens_revoke_all(*, user: User) -> int:
    """Blacklist every refresh token of `user` not yet blacklisted. Returns how many there were.

    The refresh-token half of accounts.services.sessions.user_end_sessions; used alone on token reuse."""
    live = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    revoked = 0
    for outstanding in live:
        _, created = BlacklistedToken.objects.get_or_create(token=outstanding)
        revoked += created
    return revoked


def refresh_token_rotate(*, raw: str) -> dict:
    """Exchange a refresh token for a new pair; the presented one is blacklisted.

    The row lock on the outstanding token makes two parallel uses of one token end as one
    rotation and one reuse."""
    payload = _decode(raw, token_type=RefreshToken.token_type)
    jti = payload[api_settings.JTI_CLAIM]
    reused_by = None
    with transaction.atomic():
        outstanding = (
            OutstandingToken.objects.select_for_update(of=("self",)).filter(jti=jti).select_related("user").first()
        )
        if outstanding is None or outstanding.user is None:
            raise InvalidTokenUse
        if BlacklistedToken.objects.filter(token=outstanding).exists():
            reused_by = outstanding.user
        else:
            user = _active_user(payload)
            BlacklistedToken.objects.create(token=outstanding)
            pair = _issue_pair(user, mfa=payload.get(MFA_CLAIM) is True)
            record_security_event(action="auth.token_refresh", actor=user, target_user=user)
            return pair
    with transaction.atomic():
        revoked = refresh_tokens_revoke_all(user=reused_by)
        record_security_event(
            action="auth.token_reuse",
            outcome=Outcome.DENIED,
            target_user=reused_by,
            details={"revoked_refresh_tokens": revoked},
        )
    raise InvalidTokenUse


@transaction.atomic
def refresh_token_revoke(*, raw: str, everywhere: bool = False) -> User:
    """API sign-out: blacklist the presented refresh token (or all of its user's, `everywhere`)."""
    payload = _decode(raw, token_type=RefreshToken.token_type)
    outstanding = OutstandingToken.objects.filter(jti=payload[api_settings.JTI_CLAIM]).select_related("user").first()
    if outstanding is None or outstanding.user is None or BlacklistedToken.objects.filter(token=outstanding).exists():
        raise InvalidTokenUse
    user = outstanding.user
    if everywhere:
        refresh_tokens_revoke_all(user=user)
    else:
        BlacklistedToken.objects.create(token=outstanding)
    record_security_event(action="auth.token_logout", actor=user, target_user=user, details={"everywhere": everywhere})
    return user


@transaction.atomic
def refresh_tokens_flush_expired(*, now=None) -> int:
    """Delete the outstanding refresh tokens past their expiry (their blacklist rows go with them:
    an expired token is refused anyway); what simplejwt's `flushexpiredtokens` does, counted.
    Returns how many outstanding tokens were deleted."""
    expired = OutstandingToken.objects.filter(expires_at__lte=now or timezone.now())
    count = expired.count()
    expired.delete()
    return count
