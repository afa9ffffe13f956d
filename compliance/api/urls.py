from django.urls import path

from compliance.api import views

app_name = "compliance-api"

urlpatterns = [
    path("privacy/exports/", views.DataExportListApi.as_view(), name="export-list"),
    path("privacy/exports/<int:export_id>/", views.DataExportDetailApi.as_view(), name="export-detail"),
    path("privacy/exports/<int:export_id>/download/", views.DataExportDownloadApi.as_view(), name="export-download"),
]
