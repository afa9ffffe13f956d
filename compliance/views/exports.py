"""The patient's "Download my data" pages: ask for an export, see it prepared, download it.

Only the patient, signed in as themselves, uses these pages (records.decorators.roles_required);
an export id that is not theirs is the same 404 as a missing one. An expired link answers a 410
page, one not ready yet a 409 page, never an error.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.roles import Role
from compliance.downloads import export_attachment
from compliance.exports.errors import ExportGone, ExportNotReady
from compliance.models import DataExport
from compliance.selectors import export_download, export_list
from compliance.services.exports import export_lifetime, export_request
from records.decorators import roles_required


def export_context(user) -> dict:
    """What the "Download my data" section (portal/privacy_export.html) shows."""
    exports = export_list(user=user)
    return {
        "exports": exports,
        "export_preparing": any(export.status == DataExport.Status.PREPARING for export in exports),
        "export_hours": int(export_lifetime().total_seconds() // 3600),
    }


@roles_required(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def privacy_export(request):
    if request.method == "POST":
        export, created = export_request(actor=request.user)
        if not created:
            messages.info(request, "Your export is already being prepared.")
        elif export.status == DataExport.Status.READY:
            messages.success(request, "Your export is ready to download.")
        elif export.status == DataExport.Status.FAILED:
            messages.error(request, "Your export could not be prepared. Please try again later.")
        else:
            messages.success(request, "Your export is being prepared. Come back to this page to download it.")
        return redirect("compliance:export")
    return render(request, "portal/privacy_export_page.html", export_context(request.user))


@roles_required(Role.PATIENT)
@require_GET
def privacy_export_download(request, export_id):
    try:
        export, chunks = export_download(user=request.user, export_id=export_id)
    except ExportGone:
        return render(request, "portal/privacy_export_unavailable.html", {"reason": "expired"}, status=410)
    except ExportNotReady:
        return render(request, "portal/privacy_export_unavailable.html", {"reason": "not_ready"}, status=409)
    return export_attachment(export, chunks)
