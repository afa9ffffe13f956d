from django.urls import path

from compliance.views import holds, requests

app_name = "compliance"

urlpatterns = [
    path("requests/", requests.request_queue, name="request-queue"),
    path("requests/new/", requests.request_new, name="request-new"),
    path("requests/<int:request_id>/", requests.request_detail, name="request-detail"),
    path("requests/<int:request_id>/verify/", requests.request_verify, name="request-verify"),
    path("requests/<int:request_id>/assign/", requests.request_assign, name="request-assign"),
    path("requests/<int:request_id>/extend/", requests.request_extend, name="request-extend"),
    path("requests/<int:request_id>/complete/", requests.request_complete, name="request-complete"),
    path("requests/<int:request_id>/refuse/", requests.request_refuse, name="request-refuse"),
    path("requests/<int:request_id>/apply/", requests.rectification_apply, name="rectification-apply"),
    path("requests/<int:request_id>/lift-restriction/", requests.restriction_lift, name="restriction-lift"),
    path("holds/", holds.legal_hold_list, name="hold-list"),
    path("holds/new/", holds.legal_hold_place, name="hold-place"),
    path("holds/<int:hold_id>/lift/", holds.legal_hold_lift, name="hold-lift"),
]
