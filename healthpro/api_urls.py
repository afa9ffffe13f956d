"""Everything under /api/v1/. Later issues include their apps' API urls here."""

from django.urls import include, path

from accounts import api_sessions
from healthpro import api_docs, views

urlpatterns = [
    path("health/", views.HealthApi.as_view(), name="api-health"),
    path("schema/", api_docs.SchemaApi.as_view(), name="api-schema"),
    path("docs/", api_docs.SwaggerDocsView.as_view(url_name="api-schema"), name="api-docs"),
    # accounts: browser sessions (accounts.api_sessions)
    path("auth/sessions/", api_sessions.UserSessionListApi.as_view(), name="api-auth-sessions"),
    path("auth/sessions/<int:session_id>/", api_sessions.UserSessionApi.as_view(), name="api-auth-session"),
    # records
    path("", include("records.api.urls")),
]
# ---- accounts: authentication API
urlpatterns += [path("auth/", include("accounts.api.urls"))]
