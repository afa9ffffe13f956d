from django.urls import path

from compliance.views import consents, inventory

app_name = "compliance"

urlpatterns = [
    path("portal/privacy/", consents.portal_privacy, name="portal-privacy"),
    path("compliance/patients/<int:patient_id>/consents/", consents.patient_consents, name="patient-consents"),
    path("compliance/inventory/", inventory.inventory_page, name="inventory"),
    path("compliance/inventory/export.csv", inventory.inventory_csv, name="inventory-csv"),
]
