"""The compliance API: the patient's own data-subject exports (ask for one, its state, download).

Thin views over compliance.services and compliance.selectors, like the pages. Only the patient
uses these endpoints; staff get 403 whatever the id, another patient's export id is a 404 like a
missing one, an expired export is a 410, one not ready a 409.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import RequiredFactorPassed
from compliance.api.serializers import DataExportRequestSerializer, DataExportSerializer
from compliance.downloads import ZIP_CONTENT_TYPE, export_attachment
from compliance.exports.errors import ExportGone, ExportNotReady
from compliance.selectors.exports import export_download, export_get, export_list
from compliance.services.exports import export_request
from core.openapi import ErrorResponseSerializer


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
