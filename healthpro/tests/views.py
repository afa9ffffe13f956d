"""Tiny views for the foundation tests only (mounted by healthpro.tests.urls, never in production)."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

logger = logging.getLogger("healthpro.tests")

EXCEPTION_CANARY = "exception-canary-7d1f jane.doe@example.test"


class DefaultApi(APIView):
    """No explicit authentication, permission or throttle classes: the project defaults apply."""

    def get(self, request, *args, **kwargs):
        logger.info("default api answered")
        return Response({"ok": True})


class PublicApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request, *args, **kwargs):
        return Response({"ok": True, "version": request.version})


class EchoSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=5)
    age = serializers.IntegerField()


class EchoApi(APIView):
    def post(self, request, *args, **kwargs):
        serializer = EchoSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class DenyAll(BasePermission):
    def has_permission(self, request, view):
        return False


class ForbiddenApi(APIView):
    permission_classes = [DenyAll]

    def get(self, request, *args, **kwargs):
        return Response({"ok": True})


class MissingApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request, *args, **kwargs):
        raise Http404(f"Patient 42 does not exist {EXCEPTION_CANARY}")


class RefusedByServiceApi(APIView):
    """A service's Django ValidationError reaching the API unconverted (GET ?whole=1: no field)."""

    permission_classes = [AllowAny]

    def get(self, request, *args, **kwargs):
        if request.GET.get("whole"):
            raise DjangoValidationError("This note is already signed.")
        raise DjangoValidationError({"kind": "Your role may not write this kind of note."})


class BrokenApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request, *args, **kwargs):
        raise RuntimeError(EXCEPTION_CANARY)


def broken_page(request):
    raise RuntimeError(EXCEPTION_CANARY)


def session_page(request):
    """Writes to the session, so the response sets the session cookie."""
    request.session["visited"] = True
    return HttpResponse("ok")


def authenticated_page(request):
    return HttpResponse(f"signed in: {request.user.is_authenticated}")
