from django.urls import path

from records.api import views

app_name = "records-api"

urlpatterns = [
    path("patients/", views.PatientListApi.as_view(), name="patient-list"),
    path("patients/search/", views.PatientSearchApi.as_view(), name="patient-search"),
    path("patients/<int:patient_id>/", views.PatientDetailApi.as_view(), name="patient-detail"),
    path("patients/<int:patient_id>/chart/", views.PatientChartApi.as_view(), name="patient-chart"),
    path("patients/<int:patient_id>/care-team/", views.CareTeamListApi.as_view(), name="care-team"),
    path(
        "patients/<int:patient_id>/care-team/<int:membership_id>/end/",
        views.CareTeamEndApi.as_view(),
        name="care-team-end",
    ),
    path("patients/<int:patient_id>/documents/", views.DocumentListApi.as_view(), name="document-list"),
    path(
        "patients/<int:patient_id>/documents/<int:document_id>/",
        views.DocumentDetailApi.as_view(),
        name="document-detail",
    ),
    path(
        "patients/<int:patient_id>/documents/<int:document_id>/download/",
        views.DocumentDownloadApi.as_view(),
        name="document-download",
    ),
    path("patients/<int:patient_id>/notes/<int:record_id>/sign/", views.NoteSignApi.as_view(), name="note-sign"),
    path(
        "patients/<int:patient_id>/notes/<int:record_id>/amendments/",
        views.NoteAmendApi.as_view(),
        name="note-amend",
    ),
    path("break-glass/", views.BreakGlassApi.as_view(), name="break-glass"),
    path("break-glass/<int:access_id>/review/", views.BreakGlassReviewApi.as_view(), name="break-glass-review"),
]

for _name, (_list_view, _detail_view) in views.RECORD_VIEWS.items():
    urlpatterns += [
        path(f"patients/<int:patient_id>/{_name}/", _list_view.as_view(), name=f"{_name}-list"),
        path(f"patients/<int:patient_id>/{_name}/<int:record_id>/", _detail_view.as_view(), name=f"{_name}-detail"),
    ]
