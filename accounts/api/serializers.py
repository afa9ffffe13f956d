"""Serializers of the authentication API. The request bodies are strict (core.serializers): an
unknown field, or a value of another JSON type than declared, is a 400 field error. Tokens and
codes are taken as sent, not trimmed: a blank-looking value is a wrong credential (401), as the
schema's `minLength: 1` says, never a 400 the schema does not."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import StrictBooleanField, StrictCharField, StrictSerializer


@extend_schema_field(OpenApiTypes.EMAIL)
class SignInEmailField(StrictCharField):
    """The login, an e-mail address. A string that is not a valid one (as Django's validator sees
    it, which differs from OpenAPI's `format: email` at the edges, e.g. `0@0.a`) matches no account,
    so it is answered as wrong credentials are, with 401 after the same hashing work, never with a
    400 that the schema would not predict."""


class TokenObtainSerializer(StrictSerializer):
    email = SignInEmailField(max_length=254)
    password = StrictCharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="Access token (JWT), valid 5 minutes. Send as `Authorization: Bearer`.")
    refresh = serializers.CharField(help_text="Refresh token (JWT), single use: each refresh returns a new one.")


class MfaRequiredSerializer(serializers.Serializer):
    mfa_required = serializers.BooleanField(help_text="Always true: this account needs a code.")
    mfa_token = serializers.CharField(
        help_text="Short-lived token for POST /api/v1/auth/token/mfa/ only; not an access token."
    )


class TokenMfaSerializer(StrictSerializer):
    mfa_token = StrictCharField(max_length=4096, trim_whitespace=False)
    code = StrictCharField(
        max_length=32, trim_whitespace=False, help_text="A TOTP code from the authenticator app, or a recovery code."
    )


class TokenRefreshSerializer(StrictSerializer):
    refresh = StrictCharField(max_length=4096, trim_whitespace=False)


class LogoutSerializer(StrictSerializer):
    refresh = StrictCharField(max_length=4096, trim_whitespace=False)
    everywhere = StrictBooleanField(
        default=False, help_text="Revoke every refresh token of this account, not only this one."
    )


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    role = serializers.CharField(allow_null=True)
    mfa_verified = serializers.BooleanField(help_text="This request's credentials passed the second factor.")


class UserSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    device = serializers.CharField(source="device_label", read_only=True)
    ip_address = serializers.IPAddressField(read_only=True, allow_null=True)
    started_at = serializers.DateTimeField(source="created_at", read_only=True)
    last_seen_at = serializers.DateTimeField(read_only=True)
    current = serializers.SerializerMethodField()

    def get_current(self, session) -> bool:
        return session.pk == self.context.get("current_session_id")
