"""Serializers of the privacy API: a patient's own data-subject requests. Shapes only."""

from rest_framework import serializers

from compliance.models import DataSubjectRequest, RequestEvent
from compliance.services.requests import proposed_values_of
from core.serializers import StrictCharField, StrictEmailField, StrictSerializer
from records.models import Patient

# History notes a patient is shown: the reasons they are owed (an extension, a refusal).
NOTES_SHOWN_TO_PATIENT = (RequestEvent.Action.EXTENDED, RequestEvent.Action.REFUSED)


class ProposedValuesSerializer(StrictSerializer):
    """The corrections a patient proposes: any of their demographics, at least one, each different
    from what is recorded."""

    given_name = StrictCharField(required=False, max_length=100)
    family_name = StrictCharField(required=False, max_length=100)
    date_of_birth = serializers.DateField(required=False)
    sex = serializers.ChoiceField(required=False, choices=Patient.Sex.choices)
    gender = StrictCharField(required=False, allow_blank=True, max_length=64)
    email = StrictEmailField(required=False, allow_blank=True, max_length=254)
    phone = StrictCharField(required=False, allow_blank=True, max_length=32)
    address = StrictCharField(required=False, allow_blank=True, max_length=2000)
    emergency_contact = StrictCharField(required=False, allow_blank=True, max_length=2000)
    preferred_language = StrictCharField(required=False, max_length=16)


class RequestCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=DataSubjectRequest.Kind.choices)
    details = StrictCharField(required=False, allow_blank=True, max_length=2000, default="")
    proposed_values = ProposedValuesSerializer(
        required=False, help_text="Only for a rectification request, where it is required."
    )


class RequestEventSerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    action = serializers.ChoiceField(choices=RequestEvent.Action.choices)
    status = serializers.ChoiceField(choices=DataSubjectRequest.Status.choices)
    by_you = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()

    def get_by_you(self, event) -> bool:
        return event.actor_id is not None and event.actor_id == self.context["user"].pk

    def get_note(self, event) -> str:
        return event.note if event.action in NOTES_SHOWN_TO_PATIENT else ""


class RequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.ChoiceField(choices=DataSubjectRequest.Kind.choices)
    status = serializers.ChoiceField(choices=DataSubjectRequest.Status.choices)
    channel = serializers.ChoiceField(choices=DataSubjectRequest.Channel.choices)
    received_on = serializers.DateField()
    due_on = serializers.DateField()
    extension_months = serializers.IntegerField()
    extension_reason = serializers.CharField()
    outcome = serializers.ChoiceField(choices=DataSubjectRequest.Outcome.choices, allow_blank=True)
    refusal_reason = serializers.CharField()
    details = serializers.CharField()
    proposed_values = serializers.SerializerMethodField()
    applied_fields = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)

    def get_proposed_values(self, request) -> ProposedValuesSerializer:
        return ProposedValuesSerializer(proposed_values_of(request)).data


class RequestDetailSerializer(RequestSerializer):
    history = serializers.SerializerMethodField()

    def get_history(self, request) -> RequestEventSerializer(many=True):
        return RequestEventSerializer(self.context["history"], many=True, context=self.context).data
