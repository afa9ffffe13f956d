from django.urls import path

from compliance.views import exports

app_name = "compliance"

urlpatterns = [
    path("export/", exports.privacy_export, name="export"),
    path("export/<int:export_id>/download/", exports.privacy_export_download, name="export-download"),
]
