from django.urls import path

from compliance.views import consents, exports, inventory

app_name = "compliance"

urlpatterns = [
    path("portal/privacy/", consents.portal_privacy, name="portal-privacy"),
    path("compliance/patients/<int:patient_id>/consents/", consents.patient_consents, name="patient-consents"),
    path("compliance/inventory/", inventory.inventory_page, name="inventory"),
    path("compliance/inventory/export.csv", inventory.inventory_csv, name="inventory-csv"),
    path("portal/privacy/export/", exports.privacy_export, name="export"),
    path("portal/privacy/export/<int:export_id>/download/", exports.privacy_export_download, name="export-download"),
]
