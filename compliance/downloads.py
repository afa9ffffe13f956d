"""The one way an export leaves HealthPro: a streamed zip attachment, for pages and the API alike.

The access check, the decryption and the access event are compliance.selectors'; this
adds only the HTTP: an attachment, never rendered inline or sniffed or cached.
"""

from django.http import StreamingHttpResponse

from compliance.models import DataExport

ZIP_CONTENT_TYPE = "application/zip"


def export_attachment(export: DataExport, chunks) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=ZIP_CONTENT_TYPE)
    response["Content-Length"] = str(export.size)
    response["Content-Disposition"] = f'attachment; filename="healthpro-export-{export.pk}.zip"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
