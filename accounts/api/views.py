"""Authentication API: token pair, MFA step, refresh (rotated), logout, and who am I.

Every endpoint here is throttled with the "auth" scope. Wrong credentials, an inactive or
unverified account all answer the same 401; a locked-out client gets 429 with Retry-After.
"""

from django.contrib.auth import authenticate
from django.utils.cache import add_never_cache_headers, patch_cache_control
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import lockout
from accounts.api import serializers
from accounts.api_permissions import request_has_verified_factor
from accounts.mfa import mfa_enrolled, mfa_verify
from accounts.tokens import (
    InvalidTokenUse,
    mfa_token_consume,
    mfa_token_issue,
    mfa_token_user,
    refresh_token_revoke,
    refresh_token_rotate,
    token_pair_issue,
)
from audit.services import Outcome, record_security_event
from core.openapi import ErrorResponseSerializer

WRONG_CREDENTIALS = "The e-mail address or password is not correct."
WRONG_CODE = "The code is not correct, or was already used."
INVALID_TOKEN = "The token is not valid or has expired."  # noqa: S105  (a message)
ENROL_ON_THE_WEB = (
    "Staff accounts must set up two-factor authentication before using the API: "
    "sign in on the web at /accounts/login/ and follow the set-up steps."
)


class InvalidCredentials(exceptions.AuthenticationFailed):
    default_code = "invalid_credentials"


class InvalidToken(exceptions.AuthenticationFailed):
    default_code = "token_not_valid"


class MfaEnrollmentRequired(exceptions.PermissionDenied):
    default_code = "mfa_enrollment_required"


def _error(status_code: int, description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorResponseSerializer, description=description)


LOCKED_OUT_RESPONSE = _error(429, "Locked out after too many failures, or throttled; see Retry-After.")


class AuthApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

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
            raise lockout.LockedOut()
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
        if not lockout.second_factor_allowed(http_request, user=user):
            raise lockout.LockedOut()
        if mfa_verify(user=user, code=body.validated_data["code"]) is None:
            if lockout.record_failure(http_request, username=user.email, sender=TokenMfaApi):
                raise lockout.LockedOut()
            raise InvalidCredentials(WRONG_CODE)
        if not mfa_token_consume(jti):
            raise InvalidToken(INVALID_TOKEN)
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
    throttle_classes = [ScopedRateThrottle]
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
