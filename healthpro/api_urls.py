"""Everything under /api/v1/. Later issues include their apps' API urls here."""

from django.urls import include, path

from healthpro import api_docs, views

urlpatterns = [
    path("health/", views.HealthApi.as_view(), name="api-health"),
    path("schema/", api_docs.SchemaApi.as_view(), name="api-schema"),
    path("docs/", api_docs.SwaggerDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("auth/", include("accounts.api.urls")),
    path("", include("records.api.urls")),
    path("", include("compliance.api.urls")),
]
