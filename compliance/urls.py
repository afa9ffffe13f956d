from django.urls import path

from compliance.views import disclosures, incidents

app_name = "compliance"

urlpatterns = [
    path("incidents/", incidents.incident_list, name="incident-list"),
    path("incidents/new/", incidents.incident_new, name="incident-new"),
    path("incidents/<int:incident_id>/", incidents.incident_detail, name="incident-detail"),
    path("incidents/<int:incident_id>/edit/", incidents.incident_edit, name="incident-edit"),
    path("incidents/<int:incident_id>/assess/", incidents.incident_assess, name="incident-assess"),
    path("incidents/<int:incident_id>/patients/", incidents.incident_patients, name="incident-patients"),
    path("incidents/<int:incident_id>/notices/<str:kind>/", incidents.incident_draft, name="incident-draft"),
    path(
        "incidents/<int:incident_id>/notices/<str:kind>/generate/",
        incidents.incident_draft_generate,
        name="incident-draft-generate",
    ),
    path(
        "incidents/<int:incident_id>/notices/<str:kind>/sent/",
        incidents.incident_draft_sent,
        name="incident-draft-sent",
    ),
    path("disclosures/new/", disclosures.disclosure_new, name="disclosure-new"),
    path("disclosures/patients/<int:patient_id>/", disclosures.disclosure_list, name="disclosure-list"),
    path("disclosures/accountings/", disclosures.accounting_list, name="accounting-list"),
    path("disclosures/accountings/<int:accounting_id>/", disclosures.accounting_detail, name="accounting-detail"),
    path(
        "disclosures/accountings/<int:accounting_id>/provided/",
        disclosures.accounting_produced,
        name="accounting-produced",
    ),
    path(
        "disclosures/accountings/<int:accounting_id>/extend/",
        disclosures.accounting_extend,
        name="accounting-extend",
    ),
]
