from django.urls import path

from compliance.api import views

app_name = "compliance-api"

urlpatterns = [
    path("privacy/requests/", views.PrivacyRequestListApi.as_view(), name="request-list"),
    path("privacy/requests/<int:request_id>/", views.PrivacyRequestDetailApi.as_view(), name="request-detail"),
    path(
        "privacy/requests/<int:request_id>/withdraw/",
        views.PrivacyRequestWithdrawApi.as_view(),
        name="request-withdraw",
    ),
]
