"""records.downloads: every way a document leaves (staff page, portal, API) answers with the same
attachment, which a browser neither renders, sniffs nor caches, and each download is audited."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from records import services

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_page_portal_and_api_answer_the_same_attachment(verified, jwt_client, nurse, patient_user, patient):
    document = services.document_upload(
        actor=nurse,
        patient_id=patient.pk,
        title="Scan",
        kind="imaging",
        uploaded_file=SimpleUploadedFile("scan.png", PNG),
    )
    downloads = [
        verified(nurse).get(reverse("records:document-download", args=[patient.pk, document.pk])),
        verified(patient_user).get(reverse("portal:document-download", args=[document.pk])),
        jwt_client(nurse).get(reverse("records-api:document-download", args=[patient.pk, document.pk])),
    ]
    for response in downloads:
        assert response.status_code == 200 and response.content == PNG
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"] == f'attachment; filename="document-{document.pk}.png"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"].split(", ")
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert AuditEvent.objects.filter(action="document.download", record_id=document.pk).count() == 3
