from django.urls import path

from compliance.api import views

app_name = "compliance-api"

urlpatterns = [
    path("consents/", views.ConsentListApi.as_view(), name="consent-list"),
    path("consents/<slug:purpose_key>/give/", views.ConsentGiveApi.as_view(), name="consent-give"),
    path("consents/<slug:purpose_key>/withdraw/", views.ConsentWithdrawApi.as_view(), name="consent-withdraw"),
    path("privacy/requests/", views.PrivacyRequestListApi.as_view(), name="request-list"),
    path("privacy/requests/<int:request_id>/", views.PrivacyRequestDetailApi.as_view(), name="request-detail"),
    path(
        "privacy/requests/<int:request_id>/withdraw/",
        views.PrivacyRequestWithdrawApi.as_view(),
        name="request-withdraw",
    ),
    path("privacy/exports/", views.DataExportListApi.as_view(), name="export-list"),
    path("privacy/exports/<int:export_id>/", views.DataExportDetailApi.as_view(), name="export-detail"),
    path("privacy/exports/<int:export_id>/download/", views.DataExportDownloadApi.as_view(), name="export-download"),
]
