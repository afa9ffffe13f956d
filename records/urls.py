from django.urls import path

from records import views

app_name = "records"

urlpatterns = [
    path("", views.patient_search, name="search"),
    path("new/", views.patient_register, name="register"),
    path("appointments/today/", views.appointments_today, name="appointments-today"),
    path("break-glass/", views.break_glass, name="break-glass"),
    path("break-glass/reviews/", views.break_glass_reviews, name="break-glass-reviews"),
    path("break-glass/reviews/<int:access_id>/", views.break_glass_review, name="break-glass-review"),
    path("<int:patient_id>/", views.patient_chart, name="chart"),
    path("<int:patient_id>/edit/", views.patient_edit, name="edit"),
    path("<int:patient_id>/care-team/add/", views.care_team_add, name="care-team-add"),
    path("<int:patient_id>/care-team/<int:membership_id>/end/", views.care_team_end, name="care-team-end"),
    path("<int:patient_id>/documents/upload/", views.document_upload, name="document-upload"),
    path("<int:patient_id>/documents/<int:document_id>/", views.document_download, name="document-download"),
    path("<int:patient_id>/documents/<int:document_id>/delete/", views.document_delete, name="document-delete"),
    path("<int:patient_id>/notes/<int:note_id>/sign/", views.note_sign, name="note-sign"),
    path("<int:patient_id>/notes/<int:note_id>/amend/", views.note_amend, name="note-amend"),
    path("<int:patient_id>/<str:record_type_name>/new/", views.record_add, name="record-add"),
    path("<int:patient_id>/<str:record_type_name>/<int:record_id>/edit/", views.record_edit, name="record-edit"),
]
