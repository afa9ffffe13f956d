"""Authentication API: token pair, MFA step, refresh (rotated), logout, who am I, and the
signed-in browser sessions of the account.

Every endpoint of sign-in is throttled with the "auth" scope. Wrong credentials, an inactive or
unverified account all answer the same 401; a locked-out client gets 429 with Retry-After.
"""

from django.contrib.auth import authenticate
from django.http import Http404
from django.utils.cache import add_never_cache_headers, patch_cache_control
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import serializers
from accounts.api.permissions import RequiredFactorPassed, request_has_verified_factor
from accounts.models import EndReason
from accounts.selectors import mfa_enrolled, user_session_current, user_session_get, user_session_list
from accounts.services import lockout
from accounts.services.mfa import SecondFactorOutcome, second_factor_check
from accounts.services.sessions import user_session_end
from accounts.services.tokens import (
    InvalidTokenUse,
    mfa_token_claim,
    mfa_token_issue,
    mfa_token_release,
    mfa_token_user,
    refresh_token_revoke,
    refresh_token_rotate,
    token_pair_issue,
)
from audit.services import Outcome, record_security_event
from core.openapi import ErrorResponseSerializer
from core.throttles import AtomicScopedRateThrottle

WRONG_CREDENTIALS = "The e-mail address or password is not correct."
WRONG_CODE = "The code is not correct, or was already used."
INVALID_TOKEN = "The token is not valid or has expired."  # noqa: S105  (a message)
ENROL_ON_THE_WEB = (
    "Staff accounts must set up two-factor authentication before using the API: "
    "sign in on the web at /accounts/login/ and follow the set-up steps."
)


class LockedOut(exceptions.Throttled):
    """The API's lockout answer: 429 with Retry-After, in the JSON error shape, with the time the
    lock ends in `details.locked_until` (ISO 8601, UTC)."""

    default_code = "locked_out"

    def __init__(self, *, username: str | None, ip: str | None):
        until = lockout.lock_end(username=username, ip=ip)
        super().__init__(wait=lockout.retry_after_seconds(until), detail=lockout.lockout_message(until))
        self.error_details = {"locked_until": lockout.iso_utc(until)}


class InvalidCredentials(exceptions.AuthenticationFailed):
    default_code = "invalid_credentials"


class InvalidToken(exceptions.AuthenticationFailed):
    default_code = "token_not_valid"


class MfaEnrollmentRequired(exceptions.PermissionDenied):
    default_code = "mfa_enrollment_required"


def _error(status_code: int, description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorResponseSerializer, description=description)


LOCKED_OUT_RESPONSE = _error(
    429,
    "`locked_out`: too many failures, locked until `details.locked_until` (ISO 8601, UTC); this answer "
    "wins over the throttle's while the lock lasts. `throttled`: too many calls. Both carry Retry-After.",
)


class AuthApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AtomicScopedRateThrottle]
    throttle_scope = "auth"

    def lockout_username(self, request) -> str | None:
        """The account this call signs in to, for the lockout check of a throttled call."""
        return None

    def throttled(self, request, wait):
        # A locked-out client is told so, with the time the lock ends, rather than "slow down":
        # the lockout answer wins over the throttle's.
        http_request = request._request
        try:
            username = self.lockout_username(request)
        except exceptions.ParseError:
            username = None
        if lockout.locked_until(username=username or "", ip=http_request.client_ip) is not None:
            raise LockedOut(username=username, ip=http_request.client_ip)
        super().throttled(request, wait)

    def get_authenticate_header(self, request):
        # Without authentication classes DRF would turn a failed sign-in into 403; it is a 401.
        return 'Bearer realm="api"'

    def finalize_response(self, request, response, *args, **kwargs):
        # Answers carry tokens to a client that sent no credentials, so the middleware's
        # authenticated-only no-store does not apply: never stored (RFC 6749 section 5.1).
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        patch_cache_control(response, no_store=True, private=True)
        return response


class TokenObtainApi(AuthApi):
    def lockout_username(self, request) -> str | None:
        email = request.data.get("email") if isinstance(request.data, dict) else None
        return email if isinstance(email, str) else None

    @extend_schema(
        auth=[],
        request=serializers.TokenObtainSerializer,
        responses={
            200: PolymorphicProxySerializer(
                component_name="TokenObtainResult",
                serializers=[serializers.TokenPairSerializer, serializers.MfaRequiredSerializer],
                resource_type_field_name=None,
            ),
            401: _error(401, "Wrong e-mail or password, or the account is inactive or unverified."),
            403: _error(403, "A staff account without two-factor authentication: enrol on the web first."),
            429: LOCKED_OUT_RESPONSE,
        },
        summary="Sign in with e-mail and password",
        description="Answers a token pair, or `mfa_required` with an `mfa_token` when the account has "
        "two-factor authentication: then POST it with a code to /api/v1/auth/token/mfa/.",
    )
    def post(self, request, *args, **kwargs):
        body = serializers.TokenObtainSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        http_request = request._request
        user = authenticate(
            http_request, username=body.validated_data["email"], password=body.validated_data["password"]
        )
        if getattr(http_request, "axes_locked_out", False):
            raise LockedOut(username=body.validated_data["email"], ip=http_request.client_ip)
        if user is None:
            raise InvalidCredentials(WRONG_CREDENTIALS)
        if mfa_enrolled(user):
            return Response({"mfa_required": True, "mfa_token": mfa_token_issue(user=user)})
        if user.requires_mfa:
            record_security_event(
                action="auth.token_issue",
                outcome=Outcome.DENIED,
                actor=user,
                target_user=user,
                details={"reason": "mfa_enrollment_required"},
            )
            raise MfaEnrollmentRequired(ENROL_ON_THE_WEB)
        lockout.attempts_clear(username=user.email, ip=http_request.client_ip)
        return Response(token_pair_issue(user=user, mfa=False))


class TokenMfaApi(AuthApi):
    def lockout_username(self, request) -> str | None:
        raw = request.data.get("mfa_token") if isinstance(request.data, dict) else None
        try:
            return mfa_token_user(raw)[0].email if isinstance(raw, str) else None
        except InvalidTokenUse:
            return None

    @extend_schema(
        auth=[],
        request=serializers.TokenMfaSerializer,
        responses={
            200: serializers.TokenPairSerializer,
            401: _error(401, "The MFA token is not valid, expired or used, or the code is wrong."),
            429: LOCKED_OUT_RESPONSE,
        },
        summary="Second step: MFA token and code for a token pair",
    )
    def post(self, request, *args, **kwargs):
        body = serializers.TokenMfaSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        http_request = request._request
        try:
            user, jti = mfa_token_user(body.validated_data["mfa_token"])
        except InvalidTokenUse:
            raise InvalidToken(INVALID_TOKEN) from None
        # The token first: a request that cannot claim it is refused before any code is checked,
        # so a refused request consumes no recovery code.
        if not mfa_token_claim(jti):
            raise InvalidToken(INVALID_TOKEN)
        result = second_factor_check(
            request=http_request, user=user, code=body.validated_data["code"], sender=TokenMfaApi
        )
        if result.outcome is not SecondFactorOutcome.VERIFIED:
            mfa_token_release(jti)
        if result.outcome is SecondFactorOutcome.LOCKED_OUT:
            raise LockedOut(username=user.email, ip=http_request.client_ip)
        if result.outcome is SecondFactorOutcome.WRONG_CODE:
            raise InvalidCredentials(WRONG_CODE)
        lockout.attempts_clear(username=user.email, ip=http_request.client_ip)
        return Response(token_pair_issue(user=user, mfa=True))


class TokenRefreshApi(AuthApi):
    @extend_schema(
        auth=[],
        request=serializers.TokenRefreshSerializer,
        responses={
            200: serializers.TokenPairSerializer,
            401: _error(401, "Not a valid refresh token. A token already used revokes all of the account's tokens."),
        },
        summary="Rotate a refresh token for a new pair",
    )
    def post(self, request, *args, **kwargs):
        body = serializers.TokenRefreshSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            return Response(refresh_token_rotate(raw=body.validated_data["refresh"]))
        except InvalidTokenUse:
            raise InvalidToken(INVALID_TOKEN) from None


class LogoutApi(AuthApi):
    @extend_schema(
        auth=[],
        request=serializers.LogoutSerializer,
        responses={204: None, 401: _error(401, "Not a valid, unused refresh token.")},
        summary="Sign out: revoke the refresh token",
    )
    def post(self, request, *args, **kwargs):
        body = serializers.LogoutSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            refresh_token_revoke(raw=body.validated_data["refresh"], everywhere=body.validated_data["everywhere"])
        except InvalidTokenUse:
            raise InvalidToken(INVALID_TOKEN) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [AtomicScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(responses=serializers.MeSerializer, summary="The signed-in account")
    def get(self, request, *args, **kwargs):
        user = request.user
        role = user.role
        data = {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "role": role.value if role else None,
            "mfa_verified": request_has_verified_factor(request),
        }
        response = Response(serializers.MeSerializer(data).data)
        response["Cache-Control"] = "no-store"
        return response


def _current_session_id(request):
    # Only a request carried by the browser session has a "current" one; a JWT request has none.
    django_request = request._request
    if not hasattr(django_request, "session") or not request.user.is_authenticated:
        return None
    current = user_session_current(request=django_request)
    return current.pk if current else None


class UserSessionListApi(APIView):
    permission_classes = [IsAuthenticated, RequiredFactorPassed]

    @extend_schema(
        summary="Your signed-in browser sessions",
        responses={200: serializers.UserSessionSerializer(many=True)},
        tags=["auth"],
    )
    def get(self, request, *args, **kwargs):
        sessions = user_session_list(user=request.user)
        context = {"current_session_id": _current_session_id(request)}
        return Response(serializers.UserSessionSerializer(sessions, many=True, context=context).data)


class UserSessionApi(APIView):
    permission_classes = [IsAuthenticated, RequiredFactorPassed]

    @extend_schema(summary="Sign out one of your browser sessions", responses={204: None}, tags=["auth"])
    def delete(self, request, session_id: int, *args, **kwargs):
        session = user_session_get(user=request.user, session_id=session_id)
        if session is None:
            raise Http404
        user_session_end(actor=request.user, session=session, reason=EndReason.SIGNED_OUT_ELSEWHERE)
        return Response(status=204)
