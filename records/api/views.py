"""The records API: thin views over records.selectors (reads) and records.services (writes).

Every view under /patients/{patient_id}/ answers 404 for a patient the user may not see, the
same as for a missing one, whatever the method, including methods the endpoint does not support
(PatientScopedApi.http_method_not_allowed resolves the patient first).
"""

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import RequiredFactorPassed
from core.api_parsers import JSONParser
from records import policies, selectors, services
from records.api.serializers import (
    RECORD_SERIALIZERS,
    BreakGlassAccessSerializer,
    BreakGlassRequestSerializer,
    BreakGlassReviewerSerializer,
    BreakGlassReviewSerializer,
    CareTeamMembershipSerializer,
    ChartSerializer,
    ClinicalNoteSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    NoteAmendmentSerializer,
    PatientPageQuerySerializer,
    PatientPageSerializer,
    PatientSearchSerializer,
    PatientSerializer,
)
from records.downloads import DOWNLOAD_EXTENSIONS, document_download_response
from records.models import Patient
from records.record_types import RECORD_TYPES


class RecordsApi(APIView):
    """Base of the records API (a service's Django ValidationError is a 400: core.api_errors)."""

    # Staff need the second factor (the token's mfa claim or a verified session); patients do not.
    permission_classes = [RequiredFactorPassed]


class PatientScopedApi(RecordsApi):
    def http_method_not_allowed(self, request, *args, **kwargs):
        selectors.patient_for(user=request.user, patient_id=kwargs.get("patient_id"), action=request.method.lower())
        return super().http_method_not_allowed(request, *args, **kwargs)


def _patient_page(request, serializer_class, data) -> Response:
    query = serializer_class(data=data)
    query.is_valid(raise_exception=True)
    terms = {name: query.validated_data.get(name) for name in Patient.SEARCHABLE_FIELDS}
    page, page_size = query.validated_data["page"], query.validated_data["page_size"]
    patients, total = selectors.patient_search(
        user=request.user, terms=terms, offset=(page - 1) * page_size, limit=page_size
    )
    return Response(
        {"count": total, "page": page, "page_size": page_size, "results": PatientSerializer(patients, many=True).data}
    )


class PatientListApi(RecordsApi):
    @extend_schema(
        operation_id="patients_list",
        parameters=[PatientPageQuerySerializer],
        responses=PatientPageSerializer,
        description="Patients the caller may see, a page at a time. To search, POST to /patients/search/: "
        "identifiers never travel in URLs (server and proxy logs, browser history).",
    )
    def get(self, request, *args, **kwargs):
        return _patient_page(request, PatientPageQuerySerializer, request.query_params.dict())

    @extend_schema(
        operation_id="patients_create",
        request=PatientSerializer,
        responses={201: PatientSerializer},
        description="Register a patient (receptionists). The MRN is generated.",
    )
    def post(self, request, *args, **kwargs):
        if not policies.may_register_patient(request.user):
            raise PermissionDenied("Your role may not register patients.")
        serializer = PatientSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        patient = services.patient_register(actor=request.user, data=serializer.validated_data)
        return Response(PatientSerializer(patient).data, status=status.HTTP_201_CREATED)


class PatientSearchApi(RecordsApi):
    @extend_schema(
        operation_id="patients_search",
        request=PatientSearchSerializer,
        responses=PatientPageSerializer,
        description="Exact search on identifiers (MRN, family and given name, date of birth, e-mail, phone), "
        "combined; case, accents and spaces do not matter. In the body, never in the URL.",
    )
    def post(self, request, *args, **kwargs):
        return _patient_page(request, PatientSearchSerializer, request.data)


class PatientDetailApi(PatientScopedApi):
    @extend_schema(operation_id="patients_retrieve", responses=PatientSerializer)
    def get(self, request, patient_id, *args, **kwargs):
        patient, _ = selectors.patient_get(user=request.user, patient_id=patient_id)
        return Response(PatientSerializer(patient).data)

    @extend_schema(
        operation_id="patients_partial_update",
        request=PatientSerializer,
        responses=PatientSerializer,
        description="Change demographics (receptionists).",
    )
    def patch(self, request, patient_id, *args, **kwargs):
        services.authorize_write(
            actor=request.user,
            patient_id=patient_id,
            permission="records.change_patient",
            record_type="patient",
            action="update",
        )
        serializer = PatientSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        patient = services.patient_update(actor=request.user, patient_id=patient_id, data=serializer.validated_data)
        return Response(PatientSerializer(patient).data)


class PatientChartApi(PatientScopedApi):
    @extend_schema(
        operation_id="patients_chart",
        responses=ChartSerializer,
        description="Everything the caller may read about the patient, in one audited read.",
    )
    def get(self, request, patient_id, *args, **kwargs):
        chart = selectors.patient_chart(user=request.user, patient_id=patient_id)
        data = {"patient": PatientSerializer(chart.patient).data, "purpose": chart.purpose}
        for name, records in chart.sections.items():
            data[name] = RECORD_SERIALIZERS[name](records, many=True).data
        if chart.care_team:
            data["care_team"] = CareTeamMembershipSerializer(chart.care_team, many=True).data
        if chart.documents:
            data["documents"] = DocumentSerializer(chart.documents, many=True).data
        data["break_glass_expires_at"] = chart.break_glass.expires_at if chart.break_glass else None
        return Response(data)


class RecordListApi(PatientScopedApi):
    record_type_name = ""
    serializer_class = None

    def get(self, request, patient_id, *args, **kwargs):
        _, records = selectors.record_list(
            user=request.user, patient_id=patient_id, record_type_name=self.record_type_name
        )
        return Response(self.serializer_class(records, many=True).data)

    def post(self, request, patient_id, *args, **kwargs):
        record_type = RECORD_TYPES[self.record_type_name]
        patient, _ = services.authorize_write(
            actor=request.user,
            patient_id=patient_id,
            permission=record_type.add_permission,
            record_type=record_type.audit_type,
            action="create",
        )
        serializer = self.serializer_class(data=request.data, context={"patient": patient, "user": request.user})
        serializer.is_valid(raise_exception=True)
        record = services.record_create(
            actor=request.user,
            patient_id=patient_id,
            record_type_name=self.record_type_name,
            data=serializer.validated_data,
        )
        return Response(self.serializer_class(record).data, status=status.HTTP_201_CREATED)


class RecordDetailApi(PatientScopedApi):
    record_type_name = ""
    serializer_class = None

    def get(self, request, patient_id, record_id, *args, **kwargs):
        record = selectors.record_get(
            user=request.user, patient_id=patient_id, record_type_name=self.record_type_name, record_id=record_id
        )
        return Response(self.serializer_class(record).data)

    def patch(self, request, patient_id, record_id, *args, **kwargs):
        record_type = RECORD_TYPES[self.record_type_name]
        patient, _ = services.authorize_write(
            actor=request.user,
            patient_id=patient_id,
            permission=policies.record_edit_permission(record_type),
            record_type=record_type.audit_type,
            action="update",
        )
        serializer = self.serializer_class(
            data=request.data, partial=True, context={"patient": patient, "user": request.user}
        )
        serializer.is_valid(raise_exception=True)
        record = services.record_update(
            actor=request.user,
            patient_id=patient_id,
            record_type_name=self.record_type_name,
            record_id=record_id,
            data=serializer.validated_data,
        )
        return Response(self.serializer_class(record).data)


def _delegate(method):
    """A view method of its own (for its own schema annotations) doing what `method` does."""

    def delegated(self, *args, **kwargs):
        return method(self, *args, **kwargs)

    return delegated


def _record_views():
    """One list view and one detail view per record type, named for it (the OpenAPI schema
    gets distinct operations and components)."""
    views = {}
    for name, record_type in RECORD_TYPES.items():
        serializer_class = RECORD_SERIALIZERS[name]
        label = record_type.model._meta.verbose_name
        tags = [f"patients-{name}"]
        list_view = type(
            f"{record_type.model.__name__}ListApi",
            (RecordListApi,),
            {
                "record_type_name": name,
                "serializer_class": serializer_class,
                "get": extend_schema(
                    operation_id=f"patients_{name}_list",
                    responses=serializer_class(many=True),
                    tags=tags,
                    description=f"The patient's {label} records.",
                )(_delegate(RecordListApi.get)),
                "post": extend_schema(
                    operation_id=f"patients_{name}_create",
                    request=serializer_class,
                    responses={201: serializer_class},
                    tags=tags,
                    description=f"Add a {label}.",
                )(_delegate(RecordListApi.post)),
            },
        )
        detail_view = type(
            f"{record_type.model.__name__}DetailApi",
            (RecordDetailApi,),
            {
                "record_type_name": name,
                "serializer_class": serializer_class,
                "get": extend_schema(operation_id=f"patients_{name}_retrieve", responses=serializer_class, tags=tags)(
                    _delegate(RecordDetailApi.get)
                ),
                "patch": extend_schema(
                    operation_id=f"patients_{name}_partial_update",
                    request=serializer_class,
                    responses=serializer_class,
                    tags=tags,
                )(_delegate(RecordDetailApi.patch)),
            },
        )
        views[name] = (list_view, detail_view)
    return views


RECORD_VIEWS = _record_views()


class NoteSignApi(PatientScopedApi):
    @extend_schema(
        operation_id="patients_notes_sign", request=None, responses=ClinicalNoteSerializer, tags=["patients-notes"]
    )
    def post(self, request, patient_id, record_id, *args, **kwargs):
        note = services.note_sign(actor=request.user, patient_id=patient_id, note_id=record_id)
        return Response(ClinicalNoteSerializer(note).data)


class NoteAmendApi(PatientScopedApi):
    @extend_schema(
        operation_id="patients_notes_amend",
        request=NoteAmendmentSerializer,
        responses={201: ClinicalNoteSerializer},
        tags=["patients-notes"],
        description="Add a draft amendment to a signed note; the original stays as signed.",
    )
    def post(self, request, patient_id, record_id, *args, **kwargs):
        services.authorize_write(
            actor=request.user,
            patient_id=patient_id,
            permission="records.add_clinicalnote",
            record_type="clinical_note",
            action="amend",
        )
        serializer = NoteAmendmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        amendment = services.note_amend(
            actor=request.user, patient_id=patient_id, note_id=record_id, body=serializer.validated_data["body"]
        )
        return Response(ClinicalNoteSerializer(amendment).data, status=status.HTTP_201_CREATED)


class CareTeamListApi(PatientScopedApi):
    @extend_schema(operation_id="patients_care_team_list", responses=CareTeamMembershipSerializer(many=True))
    def get(self, request, patient_id, *args, **kwargs):
        _, memberships = selectors.care_team_list(user=request.user, patient_id=patient_id)
        return Response(CareTeamMembershipSerializer(memberships, many=True).data)

    @extend_schema(
        operation_id="patients_care_team_add",
        request=CareTeamMembershipSerializer,
        responses={201: CareTeamMembershipSerializer},
    )
    def post(self, request, patient_id, *args, **kwargs):
        services.authorize_write(
            actor=request.user,
            patient_id=patient_id,
            permission="records.add_careteammembership",
            record_type="care_team",
            action="add",
        )
        serializer = CareTeamMembershipSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.care_team_add(
            actor=request.user,
            patient_id=patient_id,
            member=serializer.validated_data["member"],
            team_role=serializer.validated_data["team_role"],
        )
        return Response(CareTeamMembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class CareTeamEndApi(PatientScopedApi):
    @extend_schema(operation_id="patients_care_team_end", request=None, responses=CareTeamMembershipSerializer)
    def post(self, request, patient_id, membership_id, *args, **kwargs):
        membership = services.care_team_end(actor=request.user, patient_id=patient_id, membership_id=membership_id)
        return Response(CareTeamMembershipSerializer(membership).data)


class DocumentListApi(PatientScopedApi):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(operation_id="patients_documents_list", responses=DocumentSerializer(many=True))
    def get(self, request, patient_id, *args, **kwargs):
        documents = selectors.document_list(user=request.user, patient_id=patient_id)
        return Response(DocumentSerializer(documents, many=True).data)

    @extend_schema(
        operation_id="patients_documents_upload",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer},
        description="Upload a PDF, PNG or JPEG (checked by content), up to DOCUMENT_MAX_BYTES.",
    )
    def post(self, request, patient_id, *args, **kwargs):
        services.authorize_write(
            actor=request.user,
            patient_id=patient_id,
            permission="records.add_document",
            record_type="document",
            action="upload",
        )
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = services.document_upload(
            actor=request.user,
            patient_id=patient_id,
            title=serializer.validated_data["title"],
            kind=serializer.validated_data["kind"],
            uploaded_file=serializer.validated_data["file"],
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class DocumentDetailApi(PatientScopedApi):
    @extend_schema(operation_id="patients_documents_delete", responses={204: None})
    def delete(self, request, patient_id, document_id, *args, **kwargs):
        services.document_delete(actor=request.user, patient_id=patient_id, document_id=document_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DocumentDownloadApi(PatientScopedApi):
    @extend_schema(
        operation_id="patients_documents_download",
        responses={
            (200, content_type): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The file, as an attachment, in the type it was uploaded as."
            )
            for content_type in DOWNLOAD_EXTENSIONS
        },
    )
    def get(self, request, patient_id, document_id, *args, **kwargs):
        return document_download_response(user=request.user, patient_id=patient_id, document_id=document_id)


class BreakGlassApi(RecordsApi):
    @extend_schema(
        operation_id="break_glass_list",
        responses=BreakGlassReviewerSerializer(many=True),
        parameters=[OpenApiParameter("review_status", str, enum=["pending", "justified", "unjustified"])],
        description="Break-the-glass accesses to review (compliance officers).",
    )
    def get(self, request, *args, **kwargs):
        accesses = selectors.break_glass_review_list(
            user=request.user, status=request.query_params.get("review_status") or None
        )
        return Response(BreakGlassReviewerSerializer(accesses[:500], many=True).data)

    @extend_schema(
        operation_id="break_glass_open",
        request=BreakGlassRequestSerializer,
        responses={201: BreakGlassAccessSerializer},
        description="Open a patient's record outside your care team (doctors and nurses), with a reason. "
        "Recorded, alerted to the compliance officers, and reviewed.",
    )
    def post(self, request, *args, **kwargs):
        if not policies.may_break_glass(request.user):
            raise PermissionDenied("Only doctors and nurses may use break-the-glass access.")
        serializer = BreakGlassRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        access = services.break_glass_open(actor=request.user, **serializer.validated_data)
        return Response(BreakGlassAccessSerializer(access).data, status=status.HTTP_201_CREATED)


class BreakGlassReviewApi(RecordsApi):
    @extend_schema(
        operation_id="break_glass_review", request=BreakGlassReviewSerializer, responses=BreakGlassReviewerSerializer
    )
    def post(self, request, access_id, *args, **kwargs):
        if not policies.may_review_break_glass(request.user):
            raise PermissionDenied("Only compliance officers review break-the-glass accesses.")
        serializer = BreakGlassReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        access = services.break_glass_review(actor=request.user, access_id=access_id, **serializer.validated_data)
        return Response(BreakGlassReviewerSerializer(access).data)
