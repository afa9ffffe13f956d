"""Serializers of the compliance API: output shapes and the (empty) request of an export."""

from rest_framework import serializers

from compliance.models import DataExport
from core.serializers import StrictSerializer


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
