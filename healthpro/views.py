"""Cross-cutting views: the dashboard landing page, the health check, and error pages.

Error handlers answer JSON under /api/ and a friendly page elsewhere; neither says anything
about the cause.
"""

import logging
import sys

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import outgoing_email_failed_count
from core.api_errors import is_api_request, json_error_response
from core.background import job_failures
from core.outages import RETRY_AFTER_SECONDS, outage_log, unavailable_part

logger = logging.getLogger("healthpro.views")


@login_required
@require_safe
def dashboard(request):
    """The start page; for those who may see the outbox, the e-mails that failed and the
    background jobs that failed lately (core.background)."""
    failed_emails = outgoing_email_failed_count(user=request.user)
    context = {"failed_emails": failed_emails}
    if failed_emails is not None:
        context["job_failures"] = sorted(job_failures().items())
    return render(request, "dashboard.html", context)


class HealthApi(APIView):
    """Liveness and readiness for load balancers: the database and the cache answer."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(
        auth=[],
        responses={
            200: inline_serializer("Health", {"status": serializers.CharField()}),
            503: inline_serializer("HealthUnavailable", {"status": serializers.CharField()}),
        },
    )
    def get(self, request, *args, **kwargs):
        healthy = True
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception:
            logger.exception("Health check: the database does not answer")
            healthy = False
        try:
            cache.set("healthpro:health", "1", 5)
            if cache.get("healthpro:health") != "1":
                raise RuntimeError("the cache lost a value it was just given")
        except Exception:
            logger.exception("Health check: the cache does not answer")
            healthy = False
        return Response({"status": "ok" if healthy else "unavailable"}, status=200 if healthy else 503)


@requires_csrf_token
def bad_request(request, exception=None):
    if is_api_request(request):
        return json_error_response(request, 400, "bad_request")
    return render(request, "errors/400.html", status=400)


@requires_csrf_token
def permission_denied(request, exception=None):
    if is_api_request(request):
        return json_error_response(request, 403, "permission_denied")
    return render(request, "errors/403.html", status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    if is_api_request(request):
        return json_error_response(request, 404, "not_found")
    return render(request, "errors/404.html", status=404)


# The last resort when even the error template cannot be rendered.
FALLBACK_500_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error · HealthPro</title></head>'
    "<body><h1>Error 500</h1><p>An internal error occurred. It has been logged.</p></body></html>"
)


def server_error(request):
    """The 500 page: rendered without the request, so without context processors, the session or
    the database (whatever broke may be what they call), and never failing itself.

    Django calls it while handling the exception: when that exception says the database or the
    cache does not answer (core.outages), the answer is a 503 instead, on pages and under /api/."""
    exc = sys.exc_info()[1]
    part = unavailable_part(exc)
    status, template, code = (
        (503, "errors/503.html", "service_unavailable") if part else (500, "errors/500.html", "server_error")
    )
    if part:
        outage_log(part, exc)
    if is_api_request(request):
        response = json_error_response(request, status, code)
    else:
        try:
            html = loader.render_to_string(template, {"request_id": getattr(request, "request_id", None)})
        except Exception:
            logger.exception("The %s page could not be rendered", status)
            html = FALLBACK_500_PAGE
        response = HttpResponse(html, status=status)
    if part:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def csrf_failure(request, reason=""):
    if is_api_request(request):
        return json_error_response(request, 403, "permission_denied")
    return render(request, "errors/403_csrf.html", status=403)
