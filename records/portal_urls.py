from django.urls import path

from records import views

app_name = "portal"

urlpatterns = [
    path("", views.portal_home, name="home"),
    path("documents/<int:document_id>/", views.portal_document_download, name="document-download"),
    path("access-log/", views.portal_access_log, name="access-log"),
    path("contact/", views.portal_contact, name="contact"),
]
