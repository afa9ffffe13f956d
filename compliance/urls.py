from django.urls import path

from compliance.views import consents, exports, holds, inventory, requests

app_name = "compliance"

urlpatterns = [
    path("portal/privacy/", consents.portal_privacy, name="portal-privacy"),
    path("compliance/patients/<int:patient_id>/consents/", consents.patient_consents, name="patient-consents"),
    path("compliance/inventory/", inventory.inventory_page, name="inventory"),
    path("compliance/inventory/export.csv", inventory.inventory_csv, name="inventory-csv"),
    path("compliance/requests/", requests.request_queue, name="request-queue"),
    path("compliance/requests/new/", requests.request_new, name="request-new"),
    path("compliance/requests/<int:request_id>/", requests.request_detail, name="request-detail"),
    path("compliance/requests/<int:request_id>/verify/", requests.request_verify, name="request-verify"),
    path("compliance/requests/<int:request_id>/assign/", requests.request_assign, name="request-assign"),
    path("compliance/requests/<int:request_id>/extend/", requests.request_extend, name="request-extend"),
    path("compliance/requests/<int:request_id>/complete/", requests.request_complete, name="request-complete"),
    path("compliance/requests/<int:request_id>/refuse/", requests.request_refuse, name="request-refuse"),
    path("compliance/requests/<int:request_id>/apply/", requests.rectification_apply, name="rectification-apply"),
    path("compliance/requests/<int:request_id>/lift-restriction/", requests.restriction_lift, name="restriction-lift"),
    path("compliance/holds/", holds.legal_hold_list, name="hold-list"),
    path("compliance/holds/new/", holds.legal_hold_place, name="hold-place"),
    path("compliance/holds/<int:hold_id>/lift/", holds.legal_hold_lift, name="hold-lift"),
    path("portal/privacy/export/", exports.privacy_export, name="export"),
    path("portal/privacy/export/<int:export_id>/download/", exports.privacy_export_download, name="export-download"),
]
