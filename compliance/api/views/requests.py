"""The privacy API: a patient's own data-subject requests (list, open, read, withdraw).

Thin views over compliance.selectors and compliance.services, as the portal pages are. Another
patient's request, or a forged id, is the same 404 as a missing one; other roles get 403 (staff
work requests in the pages).
"""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import RequiredFactorPassed
from compliance import policies, selectors
from compliance.api.serializers import RequestCreateSerializer, RequestDetailSerializer, RequestSerializer
from compliance.services import requests as services

PATIENTS_ONLY = "Only patients use the privacy requests API, for their own requests."


class PrivacyApi(APIView):
    permission_classes = [RequiredFactorPassed]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not policies.may_open_own_request(request.user):
            raise PermissionDenied(PATIENTS_ONLY)


def _detail(request, dsr) -> Response:
    context = {"user": request.user, "history": selectors.request_history(dsr)}
    return RequestDetailSerializer(dsr, context=context).data


class PrivacyRequestListApi(PrivacyApi):
    @extend_schema(
        operation_id="privacy_requests_list",
        responses=RequestSerializer(many=True),
        description="Your data-subject requests, newest first (patients).",
    )
    def get(self, request, *args, **kwargs):
        return Response(RequestSerializer(selectors.own_request_list(user=request.user), many=True).data)

    @extend_schema(
        operation_id="privacy_requests_create",
        request=RequestCreateSerializer,
        responses={201: RequestDetailSerializer},
        description="Open a request about your own record: access, portability, rectification (with "
        "`proposed_values`), restriction, objection or erasure. It is due one month from today. A second "
        "open request of the same kind is refused (400).",
    )
    def post(self, request, *args, **kwargs):
        serializer = RequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        dsr = services.request_open(
            actor=request.user,
            kind=data["kind"],
            details=data.get("details", ""),
            proposed_values=data.get("proposed_values"),
        )
        return Response(_detail(request, dsr), status=status.HTTP_201_CREATED)


class PrivacyRequestDetailApi(PrivacyApi):
    @extend_schema(operation_id="privacy_requests_retrieve", responses=RequestDetailSerializer)
    def get(self, request, request_id, *args, **kwargs):
        return Response(_detail(request, selectors.own_request_get(user=request.user, request_id=request_id)))


class PrivacyRequestWithdrawApi(PrivacyApi):
    @extend_schema(
        operation_id="privacy_requests_withdraw",
        request=None,
        responses=RequestDetailSerializer,
        description="Withdraw one of your open requests; a closed one answers 400.",
    )
    def post(self, request, request_id, *args, **kwargs):
        dsr = services.request_withdraw(actor=request.user, request_id=request_id)
        return Response(_detail(request, dsr))
