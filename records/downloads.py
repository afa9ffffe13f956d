"""The one way a decrypted document leaves HealthPro: an HTTP attachment.

The staff page, the patient portal and the API all answer a download with
`document_download_response`. The access check, the decryption and the access event are
records.selectors.document_download's; this module adds only the HTTP: the file as an attachment,
never rendered inline, never sniffed, never cached.
"""

from django.http import HttpResponse

from records import selectors
from records.models import Document

# The content types records.services accepts on upload, and the extension each is served with.
DOWNLOAD_EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


def document_attachment(document: Document, content: bytes) -> HttpResponse:
    """`content` (already decrypted, the caller having checked access) as an attachment."""
    response = HttpResponse(content, content_type=document.content_type)
    extension = DOWNLOAD_EXTENSIONS[document.content_type]
    response["Content-Disposition"] = f'attachment; filename="document-{document.pk}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def document_download_response(*, user, patient_id, document_id) -> HttpResponse:
    """The document of `patient_id` if `user` may read it (Http404 or PermissionDenied otherwise,
    as the selector decides), decrypted and audited as a download."""
    document, content = selectors.document_download(user=user, patient_id=patient_id, document_id=document_id)
    return document_attachment(document, content)
