"""The project's URLconf plus test-only views (use with @pytest.mark.urls("healthpro.tests.urls"))."""

from django.urls import include, path

from healthpro.tests import views
from healthpro.urls import handler400, handler403, handler404, handler500  # noqa: F401
from healthpro.urls import urlpatterns as project_urlpatterns

api_test_patterns = [
    path("default/", views.DefaultApi.as_view(), name="test-default"),
    path("public/", views.PublicApi.as_view(), name="test-public"),
    path("echo/", views.EchoApi.as_view(), name="test-echo"),
    path("forbidden/", views.ForbiddenApi.as_view(), name="test-forbidden"),
    path("missing/", views.MissingApi.as_view(), name="test-missing"),
    path("broken/", views.BrokenApi.as_view(), name="test-broken"),
    path("refused/", views.RefusedByServiceApi.as_view(), name="test-refused"),
]

urlpatterns = [
    path("api/v1/_test/", include(api_test_patterns)),
    path("_test/broken/", views.broken_page, name="test-broken-page"),
    path("_test/session/", views.session_page, name="test-session-page"),
    path("_test/authenticated/", views.authenticated_page, name="test-authenticated-page"),
    *project_urlpatterns,
]
