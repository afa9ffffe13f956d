"""The API's content negotiation (named by REST_FRAMEWORK in settings).

Kept apart from core.api_errors: rest_framework.views reads DEFAULT_CONTENT_NEGOTIATION_CLASS when
it is imported, so this class must not live in a module that imports rest_framework.views.
"""

from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation


class JsonFallbackContentNegotiation(DefaultContentNegotiation):
    """The API speaks JSON: when no renderer matches the Accept header (a browser asking for
    text/html while the browsable API is off), answer with the view's first renderer instead of
    406. An unknown ?format= still answers 404, as in DRF."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            renderer = renderers[0]
            return renderer, renderer.media_type
