from django.contrib import admin
from django.urls import include, path

from healthpro import views
from healthpro.admin_site import install_otp_admin_site

install_otp_admin_site()

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("healthpro.api_urls")),
    # records
    path("patients/", include("records.urls")),
    path("portal/", include("records.portal_urls")),
    # compliance: its staff pages under compliance/, the portal's "My privacy" page with the
    # patient's data export, and the portal's privacy requests
    path("", include("compliance.urls")),
    path("portal/privacy/", include("compliance.portal_urls")),
    path("portal/disclosures/", include("compliance.portal_disclosure_urls")),
]

handler400 = "healthpro.views.bad_request"
handler403 = "healthpro.views.permission_denied"
handler404 = "healthpro.views.page_not_found"
handler500 = "healthpro.views.server_error"
