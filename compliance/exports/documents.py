"""Where each of the patient's documents goes in their export archive."""

from django.utils.text import slugify

from records.downloads import DOWNLOAD_EXTENSIONS
from records.models import Document

DOCUMENTS_FOLDER = "documents"


def document_archive_name(document: Document) -> str:
    """`documents/<id>-<title as a slug>.<extension>`: unique (the id), readable (the title, the
    patient's own), and safe: a slug has no path separator, dot-dot or control character."""
    slug = slugify(document.title)[:60].strip("-") or "document"
    extension = DOWNLOAD_EXTENSIONS.get(document.content_type, "bin")
    return f"{DOCUMENTS_FOLDER}/{document.pk}-{slug}.{extension}"
