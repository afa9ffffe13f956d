"""API of the signed-in browser sessions: GET /api/v1/auth/sessions/ and
DELETE /api/v1/auth/sessions/{id}/. Any authenticated user, their own sessions only, staff past
their second factor (a password alone must not reveal or end the sessions of the account)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_permissions import RequiredFactorPassed
from accounts.sessions import EndReason, user_session_current, user_session_end, user_session_get, user_session_list


class UserSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    device = serializers.CharField(source="device_label", read_only=True)
    ip_address = serializers.IPAddressField(read_only=True, allow_null=True)
    started_at = serializers.DateTimeField(source="created_at", read_only=True)
    last_seen_at = serializers.DateTimeField(read_only=True)
    current = serializers.SerializerMethodField()

    def get_current(self, session) -> bool:
        return session.pk == self.context.get("current_session_id")


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
        responses={200: UserSessionSerializer(many=True)},
        tags=["auth"],
    )
    def get(self, request, *args, **kwargs):
        sessions = user_session_list(user=request.user)
        context = {"current_session_id": _current_session_id(request)}
        return Response(UserSessionSerializer(sessions, many=True, context=context).data)


class UserSessionApi(APIView):
    permission_classes = [IsAuthenticated, RequiredFactorPassed]

    @extend_schema(summary="Sign out one of your browser sessions", responses={204: None}, tags=["auth"])
    def delete(self, request, session_id: int, *args, **kwargs):
        session = user_session_get(user=request.user, session_id=session_id)
        if session is None:
            raise Http404
        user_session_end(actor=request.user, session=session, reason=EndReason.SIGNED_OUT_ELSEWHERE)
        return Response(status=204)
