from django.urls import path

from compliance.views import requests

app_name = "privacy"

urlpatterns = [
    path("requests/", requests.portal_request_list, name="request-list"),
    path("requests/new/", requests.portal_request_new, name="request-new"),
    path("requests/correction/", requests.portal_rectification_new, name="rectification-new"),
    path("requests/<int:request_id>/", requests.portal_request_detail, name="request-detail"),
    path("requests/<int:request_id>/withdraw/", requests.portal_request_withdraw, name="request-withdraw"),
]
