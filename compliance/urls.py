from django.urls import path

from compliance.views import consents, disclosures, exports, holds, incidents, inventory, requests

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
    path("compliance/incidents/", incidents.incident_list, name="incident-list"),
    path("compliance/incidents/new/", incidents.incident_new, name="incident-new"),
    path("compliance/incidents/<int:incident_id>/", incidents.incident_detail, name="incident-detail"),
    path("compliance/incidents/<int:incident_id>/edit/", incidents.incident_edit, name="incident-edit"),
    path("compliance/incidents/<int:incident_id>/assess/", incidents.incident_assess, name="incident-assess"),
    path("compliance/incidents/<int:incident_id>/patients/", incidents.incident_patients, name="incident-patients"),
    path("compliance/incidents/<int:incident_id>/notices/<str:kind>/", incidents.incident_draft, name="incident-draft"),
    path(
        "compliance/incidents/<int:incident_id>/notices/<str:kind>/generate/",
        incidents.incident_draft_generate,
        name="incident-draft-generate",
    ),
    path(
        "compliance/incidents/<int:incident_id>/notices/<str:kind>/sent/",
        incidents.incident_draft_sent,
        name="incident-draft-sent",
    ),
    path("compliance/disclosures/new/", disclosures.disclosure_new, name="disclosure-new"),
    path("compliance/disclosures/patients/<int:patient_id>/", disclosures.disclosure_list, name="disclosure-list"),
    path("compliance/disclosures/accountings/", disclosures.accounting_list, name="accounting-list"),
    path(
        "compliance/disclosures/accountings/<int:accounting_id>/",
        disclosures.accounting_detail,
        name="accounting-detail",
    ),
    path(
        "compliance/disclosures/accountings/<int:accounting_id>/provided/",
        disclosures.accounting_produced,
        name="accounting-produced",
    ),
    path(
        "compliance/disclosures/accountings/<int:accounting_id>/extend/",
        disclosures.accounting_extend,
        name="accounting-extend",
    ),
]
