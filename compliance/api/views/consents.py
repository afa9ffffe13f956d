"""The consent API: a patient's own consents (list, give, withdraw), over compliance.selectors and
compliance.services like the portal page. Staff record paper consents on the staff page only."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import RequiredFactorPassed
from compliance import policies, selectors
from compliance.api.serializers import ConsentDecisionRequestSerializer, ConsentStateSerializer
from compliance.models import ConsentDecision
from compliance.services.consents import consent_decide
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
