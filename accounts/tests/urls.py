"""The project's URLconf plus a staff-only test endpoint guarded by VerifiedStaff."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import VerifiedStaff
from healthpro.urls import handler400, handler403, handler404, handler500  # noqa: F401
from healthpro.urls import urlpatterns as project_urlpatterns


class StaffOnlyApi(APIView):
    permission_classes = [VerifiedStaff]

    def get(self, request, *args, **kwargs):
        return Response({"ok": True})


urlpatterns = [path("api/v1/_test/staff-only/", StaffOnlyApi.as_view()), *project_urlpatterns]
