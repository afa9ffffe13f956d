"""The OpenAPI schema and Swagger UI: public while DEBUG is on, login required otherwise.

Swagger UI is drf-spectacular's split view (the init script is a separate same-origin request)
with its assets from drf-spectacular-sidecar under /static/: no CDN, and a page that passes our
CSP (no inline script or style). Errors of both views answer the API's JSON error shape; an
anonymous browser opening the docs page is sent to the login page instead.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.utils.html import format_html
from drf_spectacular.plumbing import set_query_parameters
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer


def _docs_permissions():
    return [AllowAny()] if settings.API_DOCS_PUBLIC else [IsAuthenticated()]


class _JsonErrorsMixin:
    """Errors in the JSON error shape, whatever the view's own renderers (YAML, HTML)."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


class SchemaApi(_JsonErrorsMixin, SpectacularAPIView):
    def get_permissions(self):
        return _docs_permissions()


# The page of drf-spectacular's swagger_ui.html, without its inline <style> block (refused by
# our CSP, style-src 'self') and always with the split init script.
SWAGGER_PAGE = """<!DOCTYPE html>
<html lang="en">
  <head>
    <title>{title}</title>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <link rel="icon" href="{favicon}">
    <link rel="stylesheet" href="{css}">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="{bundle}"></script>
    <script src="{standalone}"></script>
    <script src="{init}"></script>
  </body>
</html>
"""


class SwaggerDocsView(_JsonErrorsMixin, SpectacularSwaggerSplitView):
    def get_permissions(self):
        return _docs_permissions()

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.NotAuthenticated) and "script" not in self.request.GET:
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if request.GET.get("script") is not None:
            return super().get(request, *args, **kwargs)
        init_url = set_query_parameters(url=self.url_self or request.path, lang=request.GET.get("lang"), script="")
        page = format_html(
            SWAGGER_PAGE,
            title=self.title or settings.SPECTACULAR_SETTINGS.get("TITLE", "API"),
            favicon=self._swagger_ui_favicon(),
            css=self._swagger_ui_resource("swagger-ui.css"),
            bundle=self._swagger_ui_resource("swagger-ui-bundle.js"),
            standalone=self._swagger_ui_resource("swagger-ui-standalone-preset.js"),
            init=init_url,
        )
        return HttpResponse(page, content_type="text/html; charset=utf-8")
