"""The patient's "Download my data" pages: ask, see, download; every other attempt refused clearly."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent
from compliance.models import DataExport
from compliance.services.exports import export_build
from compliance.tests.exports.helpers import open_archive
from compliance.tests.factories import make_world

pytestmark = pytest.mark.django_db

PAGE = reverse("compliance:export")


@pytest.fixture
def world():
    return make_world(full=False)


@pytest.fixture
def patient_client(world):
    client = Client()
    client.force_login(world.patient_user)
    return client


def without_nonces(content: bytes) -> bytes:
    """A page without what changes on every request (CSP nonces, the CSRF token)."""
    content = re.sub(rb'nonce="[^"]*"', b"", content)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


def download_url(export) -> str:
    return reverse("compliance:export-download", args=[export.pk])


def test_the_patient_asks_for_an_export_and_sees_it_ready(world, patient_client, builds_held):
    page = patient_client.get(PAGE)
    assert page.status_code == 200
    assert b"Prepare my data for download" in page.content
    response = patient_client.post(PAGE)
    assert response.status_code == 302 and response["Location"] == PAGE
    builds_held.run()
    export = DataExport.objects.get()
    assert export.status == "ready"
    response = patient_client.get(PAGE)
    content = response.content.decode()
    # The message of the request (the build ran after the test's commit callbacks, so "prepared").
    assert "Your export is being prepared" in content
    assert download_url(export) in content
    assert "Ready to download" in content
    assert export.expires_at.strftime("%Y-%m-%d %H:%M") in content


def test_a_second_request_while_one_is_prepared_says_so(world, patient_client, builds_held):
    patient_client.post(PAGE)  # its build waits for a worker
    response = patient_client.post(PAGE, follow=True)
    assert DataExport.objects.count() == 1
    assert "already being prepared" in response.content.decode()
    assert b"Prepare my data for download" not in response.content


def test_the_download_is_the_archive_as_an_attachment_and_is_audited(world, patient_client):
    export = export_build(actor=world.patient_user, patient_id=world.patient.pk)
    response = patient_client.get(download_url(export))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="healthpro-export-{export.pk}.zip"'
    assert "no-store" in response["Cache-Control"] and response["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content)
    assert len(body) == export.size == int(response["Content-Length"])
    assert "data.json" in open_archive(body).namelist()
    event = AuditEvent.objects.get(action="data_export.download")
    assert event.actor_id == world.patient_user.pk and event.patient_id == world.patient.pk
    export.refresh_from_db()
    assert export.downloads == 1
    # The link carries the export id only: no token that would work for anyone else.
    assert download_url(export) == f"/portal/privacy/export/{export.pk}/download/"


def test_another_patients_export_is_a_404_like_a_missing_one(world):
    theirs = export_build(actor=world.other_user, patient_id=world.other.pk)
    client = Client()
    client.force_login(world.patient_user)
    other = client.get(download_url(theirs))
    missing = client.get(reverse("compliance:export-download", args=[theirs.pk + 1000]))
    assert other.status_code == missing.status_code == 404
    assert without_nonces(other.content) == without_nonces(missing.content)
    assert AuditEvent.objects.filter(action="data_export.download", outcome="denied").count() == 2
    assert not AuditEvent.objects.filter(action="data_export.download", outcome="success").exists()


@pytest.mark.parametrize("role", [Role.DOCTOR, Role.NURSE, Role.RECEPTIONIST, Role.COMPLIANCE, Role.ADMIN])
def test_staff_never_download_a_patients_export(world, make_user, otp_login, role):
    export = export_build(actor=world.patient_user, patient_id=world.patient.pk)
    client = otp_login(make_user(role))
    assert client.get(download_url(export)).status_code == 403
    assert client.get(PAGE).status_code == 403
    assert not AuditEvent.objects.filter(action="data_export.download", outcome="success").exists()


def test_anonymous_is_sent_to_sign_in(world):
    export = export_build(actor=world.patient_user, patient_id=world.patient.pk)
    response = Client().get(download_url(export))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_expired_link_is_a_clear_410_page(world, patient_client):
    export = export_build(actor=world.patient_user, patient_id=world.patient.pk)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = patient_client.get(download_url(export))
    assert response.status_code == 410
    assert "This download link has expired" in response.content.decode()
    assert not AuditEvent.objects.filter(action="data_export.download").exists()


def test_a_purged_export_is_a_410_too(world, patient_client):
    export = export_build(actor=world.patient_user, patient_id=world.patient.pk)
    DataExport.objects.filter(pk=export.pk).update(status="expired", storage_name="")
    assert patient_client.get(download_url(export)).status_code == 410


def test_an_export_whose_file_is_gone_is_a_410_not_a_500(world, patient_client, settings):
    export = export_build(actor=world.patient_user, patient_id=world.patient.pk)
    (settings.EXPORTS_DIR / export.storage_name).unlink()
    assert patient_client.get(download_url(export)).status_code == 410


def test_an_export_not_ready_is_a_409_page(world, patient_client, builds_held):
    patient_client.post(PAGE)
    export = DataExport.objects.get()
    response = patient_client.get(download_url(export))
    assert response.status_code == 409
    assert "This export is not ready" in response.content.decode()


def test_the_page_is_escaped_and_inline_free(world, patient_client):
    response = patient_client.get(PAGE)
    content = response.content.decode()
    assert "<script" not in content.split("</header>")[-1] and "style=" not in content
