"""export_request, export_build and export_purge_expired: who may, what is audited, what is left."""

import datetime
import logging
import os

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone

from accounts.roles import Role
from audit.models import AuditEvent
from audit.services import SYSTEM_ACTOR
from compliance.exports.storage import export_path, exports_dir
from compliance.models import DataExport
from compliance.services import exports as export_services
from compliance.services.exports import export_build, export_purge_expired, export_request
from compliance.tasks import export_build_task
from compliance.tests.exports.helpers import archive_bytes, open_archive
from compliance.tests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world(full=False)


def events(action, **filters):
    return AuditEvent.objects.filter(action=action, **filters)


def test_the_patient_builds_their_own_export_audited(world):
    export = export_build(actor=world.patient_user, patient_id=world.patient.pk)
    assert export.status == DataExport.Status.READY
    assert export.requested_by == world.patient_user
    assert export.size > 0 and export.stored_size > export.size
    assert export.expires_at == export.ready_at + datetime.timedelta(hours=72)
    created = events("data_export.create").get()
    assert created.patient_id == world.patient.pk and created.actor_id == world.patient_user.pk
    assert created.purpose == "self" and created.record_id == str(export.pk)
    assert created.details["documents"] == 1 and created.details["resources"]["Patient"] == 1
    # Counts only: no value of the record in the event.
    assert "SUBJECTVALUE" not in str(created.details)


def test_a_patient_cannot_build_another_patients_export(world):
    with pytest.raises(Http404):
        export_build(actor=world.patient_user, patient_id=world.other.pk)
    assert not DataExport.objects.exists()
    denied = events("data_export.create", outcome="denied").get()
    assert denied.details == {"requested_patient_id": str(world.other.pk)}


@pytest.mark.parametrize("role", [Role.DOCTOR, Role.NURSE, Role.RECEPTIONIST, Role.ADMIN])
def test_staff_other_than_compliance_cannot_build_one(world, make_user, role):
    with pytest.raises(PermissionDenied):
        export_build(actor=make_user(role), patient_id=world.patient.pk)
    assert not DataExport.objects.exists()
    assert events("data_export.create", outcome="denied").exists()


def test_the_compliance_officer_builds_one_for_a_request_and_the_system_too(world, make_user):
    officer = make_user(Role.COMPLIANCE)
    export = export_build(actor=officer, patient_id=world.patient.pk, request_id=42)
    assert export.status == "ready" and export.request_id == 42 and export.requested_by == officer
    assert events("data_export.create").get().purpose == "administration"
    by_system = export_build(actor=SYSTEM_ACTOR, patient_id=world.patient.pk)
    assert by_system.status == "ready" and by_system.requested_by is None


def test_a_missing_or_forged_patient_id_is_a_404(make_user):
    officer = make_user(Role.COMPLIANCE)
    for forged in (999999, "1 OR 1=1", -1, 2**70):
        with pytest.raises(Http404):
            export_build(actor=officer, patient_id=forged)


def test_the_background_task_takes_ids(world, make_user):
    officer = make_user(Role.COMPLIANCE)
    export_id = export_build_task(world.patient.pk, officer.pk, 7)
    assert DataExport.objects.get(pk=export_id).status == "ready"


def test_a_request_builds_after_commit_and_a_second_one_meanwhile_gets_the_same(world, builds_held):
    first, created = export_request(actor=world.patient_user)
    assert created and first.status == "preparing"
    assert builds_held.jobs == [("compliance.export_build", (world.patient.pk, world.patient_user.pk))]
    again, created_again = export_request(actor=world.patient_user)
    assert not created_again and again.pk == first.pk
    assert DataExport.objects.count() == 1
    builds_held.run()
    first.refresh_from_db()
    assert first.status == "ready"
    assert events("data_export.request").count() == 1
    # Once it is ready, a new request makes a new export.
    third, created_third = export_request(actor=world.patient_user)
    builds_held.run()
    third.refresh_from_db()
    assert created_third and third.pk != first.pk and third.status == "ready"


@pytest.mark.parametrize("role", [Role.DOCTOR, Role.COMPLIANCE, Role.ADMIN, None])
def test_only_a_patient_requests_an_export_of_their_own_record(world, make_user, role):
    with pytest.raises(PermissionDenied):
        export_request(actor=make_user(role))
    assert not DataExport.objects.exists()


def test_a_patient_without_a_record_gets_a_404(make_user):
    with pytest.raises(Http404):
        export_request(actor=make_user(Role.PATIENT))


def test_a_failed_build_leaves_no_file_and_logs_no_phi(world, monkeypatch, caplog):
    def broken(output, *, patient):
        output.write(b"half an archive")
        raise ValueError(f"validation failed for {patient.family_name}")

    monkeypatch.setattr(export_services, "write_archive", broken)
    with caplog.at_level(logging.ERROR, logger="healthpro.compliance"):
        export = export_build(actor=world.patient_user, patient_id=world.patient.pk)
    assert export.status == DataExport.Status.FAILED and export.storage_name == ""
    assert list(exports_dir().iterdir()) == []
    assert "SUBJECTVALUE" not in caplog.text and "ValueError" in caplog.text
    assert events("data_export.create", outcome="failure").exists()
    # A new request is possible after a failure.
    monkeypatch.undo()
    assert export_build(actor=world.patient_user, patient_id=world.patient.pk).status == "ready"


def test_the_purge_deletes_expired_exports_only(world, django_capture_on_commit_callbacks):
    old = export_build(actor=world.patient_user, patient_id=world.patient.pk)
    fresh = export_build(actor=world.patient_user, patient_id=world.patient.pk)
    old_file = export_path(old.storage_name)
    DataExport.objects.filter(pk=old.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert export_purge_expired() == 1

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == "expired" and old.storage_name == "" and not old_file.exists()
    assert fresh.status == "ready" and export_path(fresh.storage_name).exists()
    deleted = events("data_export.delete").get()
    assert deleted.record_id == str(old.pk) and deleted.actor_role == "system"
    assert export_purge_expired() == 0  # idempotent


def test_the_purge_fails_a_build_that_never_finished_and_removes_stray_files(world):
    stuck = DataExport.objects.create(
        patient=world.patient, created_at=timezone.now() - datetime.timedelta(minutes=61), status="preparing"
    )
    running = DataExport.objects.create(
        patient=world.other, created_at=timezone.now() - datetime.timedelta(minutes=30), status="preparing"
    )
    exports_dir()
    stray = export_path("ab" * 24)
    stray.write_bytes(b"left by a dead build")
    an_hour_ago = (timezone.now() - datetime.timedelta(minutes=61)).timestamp()
    os.utime(stray, (an_hour_ago, an_hour_ago))
    recent_stray = export_path("cd" * 24)
    recent_stray.write_bytes(b"a build under way")

    export_purge_expired()

    stuck.refresh_from_db()
    running.refresh_from_db()
    assert stuck.status == "failed" and running.status == "preparing"
    assert not stray.exists() and recent_stray.exists()


def test_a_build_that_died_does_not_block_a_new_request(world):
    dead = DataExport.objects.create(
        patient=world.patient, created_at=timezone.now() - datetime.timedelta(minutes=61), status="preparing"
    )
    export, created = export_request(actor=world.patient_user)
    dead.refresh_from_db()
    assert created and export.pk != dead.pk and dead.status == "failed"


def test_the_command_purges(world, capsys):
    export = export_build(actor=world.patient_user, patient_id=world.patient.pk)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    call_command("purge_expired_exports")
    assert "Expired exports deleted: 1." in capsys.readouterr().out
    export.refresh_from_db()
    assert export.status == "expired"


def test_exports_of_the_same_patient_do_not_share_uuids(world):
    first = open_archive(archive_bytes(export_build(actor=world.patient_user, patient_id=world.patient.pk)))
    second = open_archive(archive_bytes(export_build(actor=world.patient_user, patient_id=world.patient.pk)))
    assert first.read("fhir-bundle.json")[:200] != second.read("fhir-bundle.json")[:200]
