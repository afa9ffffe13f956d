from django.urls import path

from compliance.views import disclosures

app_name = "portal-disclosures"

urlpatterns = [
    path("", disclosures.portal_disclosures, name="own"),
    path("request/", disclosures.portal_accounting_request, name="request"),
]
