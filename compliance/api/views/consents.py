"""The compliance API, over compliance.selectors and compliance.services like the pages.

Consents: a patient's own consents (list, give, withdraw). Staff record paper consents on the
staff page only.

Data-subject exports: the patient's own (ask for one, its state, download). Only the patient uses
these endpoints; staff get 403 whatever the id, another patient's export id is a 404 like a
missing one, an expired export is a 410, one not ready a 409.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import RequiredFactorPassed
from compliance import policies, selectors
from compliance.api.serializers import (
    ConsentDecisionRequestSerializer,
    ConsentStateSerializer,
    DataExportRequestSerializer,
    DataExportSerializer,
)
from compliance.downloads import ZIP_CONTENT_TYPE, export_attachment
from compliance.exports.errors import ExportGone, ExportNotReady
from compliance.models import ConsentDecision
from compliance.selectors import export_download, export_get, export_list
from compliance.services.consents import consent_decide
from compliance.services.exports import export_request
from core.openapi import ErrorResponseSerializer
from records.selectors import NOT_FOUND_MESSAGE


class ConsentApi(APIView):
    permission_classes = [RequiredFactorPassed]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not policies.may_decide_own_consent(request.user):
            raise PermissionDenied("Only patients have consents here.")


class ConsentListApi(ConsentApi):
    @extend_schema(
        operation_id="consents_list",
        responses=ConsentStateSerializer(many=True),
        description="The caller's consents: every active purpose, its current text and where the caller "
        "stands on it. Patients only.",
    )
    def get(self, request, *args, **kwargs):
        overview = selectors.portal_consent_overview(user=request.user)
        if overview is None:
            raise Http404(NOT_FOUND_MESSAGE)
        return Response(ConsentStateSerializer(overview.states, many=True).data)


class _ConsentDecisionApi(ConsentApi):
    decision: str

    def post(self, request, purpose_key, *args, **kwargs):
        serializer = ConsentDecisionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent_decide(
            actor=request.user,
            purpose_key=purpose_key,
            decision=self.decision,
            version=serializer.validated_data["version"],
            channel=ConsentDecision.Channel.API,
        )
        overview = selectors.portal_consent_overview(user=request.user)
        state = next(state for state in overview.states if state.purpose.key == purpose_key)
        return Response(ConsentStateSerializer(state).data)


class ConsentGiveApi(_ConsentDecisionApi):
    decision = ConsentDecision.Decision.GIVEN

    @extend_schema(
        operation_id="consents_give",
        request=ConsentDecisionRequestSerializer,
        responses=ConsentStateSerializer,
        description="Give consent to the current version of a purpose. 400: a stale version, or already "
        "given; 404: no such (active) purpose.",
    )
    def post(self, request, purpose_key, *args, **kwargs):
        return super().post(request, purpose_key, *args, **kwargs)


class ConsentWithdrawApi(_ConsentDecisionApi):
    decision = ConsentDecision.Decision.WITHDRAWN

    @extend_schema(
        operation_id="consents_withdraw",
        request=ConsentDecisionRequestSerializer,
        responses=ConsentStateSerializer,
        description="Withdraw a consent. 400: a stale version, or nothing given to withdraw; 404: no such "
        "(active) purpose.",
    )
    def post(self, request, purpose_key, *args, **kwargs):
        return super().post(request, purpose_key, *args, **kwargs)


class ExportGoneError(APIException):
    status_code = status.HTTP_410_GONE
    default_code = "gone"
    default_detail = "This export has expired and was deleted. Ask for a new one."


class ExportNotReadyError(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "not_ready"
    default_detail = "This export is not ready: it is being prepared, or its preparation failed."


GONE = OpenApiResponse(ErrorResponseSerializer, description="The export has expired (its archive is deleted).")
NOT_READY = OpenApiResponse(ErrorResponseSerializer, description="The export is being prepared, or failed.")


class ComplianceApi(APIView):
    permission_classes = [RequiredFactorPassed]


class DataExportListApi(ComplianceApi):
    @extend_schema(
        operation_id="privacy_exports_list",
        responses=DataExportSerializer(many=True),
        description="The signed-in patient's latest data-subject exports (patients only).",
    )
    def get(self, request, *args, **kwargs):
        return Response(DataExportSerializer(export_list(user=request.user), many=True).data)

    @extend_schema(
        operation_id="privacy_exports_create",
        request=DataExportRequestSerializer,
        responses={
            201: OpenApiResponse(DataExportSerializer, description="A new export, being prepared or ready."),
            200: OpenApiResponse(DataExportSerializer, description="The export already being prepared."),
        },
        description="Ask for an export of the signed-in patient's own record: JSON, a FHIR R4 Bundle and "
        "the documents in one zip. While one is being prepared, that one is answered (200). Its download "
        "link works for the patient only, until `expires_at`.",
    )
    def post(self, request, *args, **kwargs):
        DataExportRequestSerializer(data=request.data or {}).is_valid(raise_exception=True)
        export, created = export_request(actor=request.user)
        return Response(
            DataExportSerializer(export).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class DataExportDetailApi(ComplianceApi):
    @extend_schema(operation_id="privacy_exports_retrieve", responses=DataExportSerializer)
    def get(self, request, export_id, *args, **kwargs):
        return Response(DataExportSerializer(export_get(user=request.user, export_id=export_id)).data)


class DataExportDownloadApi(ComplianceApi):
    @extend_schema(
        operation_id="privacy_exports_download",
        responses={
            (200, ZIP_CONTENT_TYPE): OpenApiResponse(
                response=OpenApiTypes.BINARY,
                description="The archive (zip: README.txt, data.json, fhir-bundle.json, documents/), as an "
                "attachment. Each download is recorded in the audit log.",
            ),
            409: NOT_READY,
            410: GONE,
        },
    )
    def get(self, request, export_id, *args, **kwargs):
        try:
            export, chunks = export_download(user=request.user, export_id=export_id)
        except ExportGone:
            raise ExportGoneError() from None
        except ExportNotReady:
            raise ExportNotReadyError() from None
        return export_attachment(export, chunks)
