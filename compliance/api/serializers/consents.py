from rest_framework import serializers

from compliance.models import DataExport
from core.serializers import StrictSerializer


class ConsentStateSerializer(serializers.Serializer):
    purpose = serializers.CharField(source="purpose.key", help_text="The purpose's key, as in the URLs.")
    name = serializers.CharField(source="purpose.name")
    version = serializers.IntegerField(source="current_version.version", help_text="The current version.")
    text = serializers.CharField(source="current_version.text", help_text="The text of the current version.")
    state = serializers.ChoiceField(
        choices=["given", "withdrawn", "needs_answer"],
        help_text="needs_answer: the current version was never answered (a consent to an older version "
        "does not count).",
    )
    consented = serializers.BooleanField(help_text="True only when consent to the current version stands.")
    decided_at = serializers.DateTimeField(source="latest.decided_at", allow_null=True, default=None)
    answered_version = serializers.IntegerField(source="latest.version.version", allow_null=True, default=None)


class ConsentDecisionRequestSerializer(StrictSerializer):
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="The version of the text the patient read; an older one than the current is a 400.",
    )

    def to_internal_value(self, data):
        # A JSON integer only: DRF's IntegerField also takes "2" and 2.0.
        if isinstance(data, dict) and "version" in data and type(data["version"]) is not int:
            raise serializers.ValidationError({"version": ["Enter an integer."]})
        return super().to_internal_value(data)


class DataExportSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField(
        help_text="Where to download the archive once it is ready (signed in as the patient); null before."
    )

    class Meta:
        model = DataExport
        fields = ["id", "status", "created_at", "ready_at", "expires_at", "size", "download_url"]
        read_only_fields = fields

    def get_download_url(self, export) -> str | None:
        if export.status != DataExport.Status.READY:
            return None
        return f"/api/v1/privacy/exports/{export.pk}/download/"


class DataExportRequestSerializer(StrictSerializer):
    """No fields: the export is of the signed-in patient's own record."""
