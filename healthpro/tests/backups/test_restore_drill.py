"""The restore drill: seed, back up, restore into a fresh empty database,
and compare every row and document; then the archives and targets that must be refused."""

import pytest
from django.apps import apps
from django.db import DatabaseError, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from audit.models import AuditEvent
from audit.verification import verify_chain
from healthpro.backups import services
from healthpro.backups.database import DatabaseError as BackupDatabaseError
from healthpro.backups.database import live_row_counts, table_names, tables_with_data
from healthpro.backups.services import backup_verify
from records.fields import decrypt_bytes
from records.models import Document, Patient
from records.tests.factories import register_patient

from .conftest import TARGET_ALIAS


def _rows(model, using):
    names = [field.attname for field in model._meta.concrete_fields]
    return list(model._default_manager.using(using).order_by("pk").values_list(*names))


def _backup(manage, tmp_path):
    archive = tmp_path / "backup.tar.age"
    code, _out, err = manage("backup", "--output", archive)
    assert code == 0, err
    return archive


def _restore(manage, archive, identity, target_docs, settings, *extra):
    settings.DOCUMENTS_DIR = target_docs
    return manage("restore", archive, "--identity", identity, "--database", TARGET_ALIAS, *extra)


def test_a_backup_restores_every_row_and_document_with_the_chain_intact(
    seeded, age_identity, restore_target, manage, tmp_path, settings
):
    source_docs = settings.DOCUMENTS_DIR
    archive = _backup(manage, tmp_path)
    audit_rows_at_backup = AuditEvent.objects.count() - 1  # the backup.create event comes after the snapshot
    expected = {model: _rows(model, "default") for model in apps.get_models() if model is not AuditEvent}
    source_documents = {
        doc.storage_name: decrypt_bytes((source_docs / doc.storage_name).read_bytes()) for doc in Document.objects.all()
    }

    code, out, err = _restore(manage, archive, age_identity[0], tmp_path / "restored-documents", settings)

    assert code == 0, err
    assert "key escrow" in err
    assert "audit chain verifies" in out
    for model, rows in expected.items():
        assert _rows(model, restore_target) == rows, model._meta.label
    assert Patient.objects.using(restore_target).count() == 3
    restored_events = _rows(AuditEvent, restore_target)
    assert restored_events[:audit_rows_at_backup] == _rows(AuditEvent, "default")[:audit_rows_at_backup]
    assert AuditEvent.objects.using(restore_target).order_by("-id").first().action == "backup.restore"
    report = verify_chain(using=restore_target)
    assert report.ok and report.rows_checked == audit_rows_at_backup + 1
    restored_docs = settings.DOCUMENTS_DIR
    assert {
        doc.storage_name: decrypt_bytes((restored_docs / doc.storage_name).read_bytes())
        for doc in Document.objects.using(restore_target)
    } == source_documents
    assert len(source_documents) == 3


def test_a_restore_into_a_migrated_empty_database_works(
    seeded, age_identity, restore_target, manage, tmp_path, settings
):
    archive = _backup(manage, tmp_path)
    executor = MigrationExecutor(connections[restore_target])
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert "records_patient" in table_names(restore_target)
    assert tables_with_data(restore_target) == []

    code, _out, err = _restore(manage, archive, age_identity[0], tmp_path / "restored-documents", settings)

    assert code == 0, err
    assert Patient.objects.using(restore_target).count() == 3


def test_verify_checks_an_archive_without_restoring_it(seeded, age_identity, manage, tmp_path):
    archive = _backup(manage, tmp_path)
    backup_event = AuditEvent.objects.order_by("-id").first()
    code, out, err = manage("backup_verify", archive, "--identity", age_identity[0])
    assert code == 0, err
    assert "Archive intact: 5 parts" in out  # database, three documents, manifest
    assert f"SHA-256 {backup_event.details['archive_sha256']}" in out


def _tampered(archive):
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x01
    archive.write_bytes(bytes(data))


def _truncated(archive):
    archive.write_bytes(archive.read_bytes()[:-700])


@pytest.mark.parametrize(
    ("spoil", "message"),
    [(_tampered, "altered or truncated"), (_truncated, "altered or truncated")],
    ids=["tampered", "truncated"],
)
def test_a_damaged_archive_is_refused_by_verify_and_restore_and_changes_nothing(
    seeded, age_identity, restore_target, manage, tmp_path, settings, spoil, message
):
    archive = _backup(manage, tmp_path)
    spoil(archive)

    code, _out, err = manage("backup_verify", archive, "--identity", age_identity[0])
    assert code != 0 and message in err

    code, _out, err = _restore(manage, archive, age_identity[0], tmp_path / "restored-documents", settings)
    assert code != 0
    assert message in err and "Nothing was changed" in err
    assert table_names(restore_target) == []
    assert not (tmp_path / "restored-documents").exists()


def test_a_wrong_identity_is_refused_and_changes_nothing(
    seeded, age_identity, other_identity, restore_target, manage, tmp_path, settings
):
    archive = _backup(manage, tmp_path)

    code, _out, err = manage("backup_verify", archive, "--identity", other_identity)
    assert code != 0 and "encrypted to other recipients" in err

    code, _out, err = _restore(manage, archive, other_identity, tmp_path / "restored-documents", settings)
    assert code != 0 and "encrypted to other recipients" in err
    assert table_names(restore_target) == []


def test_a_target_that_holds_data_is_refused_and_keeps_its_data(seeded, age_identity, manage, tmp_path, settings):
    archive = _backup(manage, tmp_path)
    before = live_row_counts("default")
    files_before = sorted(settings.DOCUMENTS_DIR.iterdir())

    code, _out, err = manage("restore", archive, "--identity", age_identity[0])

    assert code != 0
    assert "The target database is not empty" in err and "nothing was changed" in err
    assert live_row_counts("default") == before
    assert sorted(settings.DOCUMENTS_DIR.iterdir()) == files_before


def test_a_documents_folder_that_holds_files_is_refused(
    seeded, age_identity, restore_target, manage, tmp_path, settings
):
    archive = _backup(manage, tmp_path)
    target_docs = tmp_path / "restored-documents"
    target_docs.mkdir()
    (target_docs / "abc").write_bytes(b"x")

    code, _out, err = _restore(manage, archive, age_identity[0], target_docs, settings)

    assert code != 0 and "is not empty" in err
    assert table_names(restore_target) == []


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ("AUDIT_HMAC_KEY", "AUDIT_HMAC_KEY"),
        ("FIELD_ENCRYPTION_KEYS", "FIELD_ENCRYPTION_KEYS"),
        ("BLIND_INDEX_KEYS", "BLIND_INDEX_KEYS"),
    ],
)
def test_keys_that_are_not_the_backups_fail_clearly_and_leave_the_target_empty(
    seeded, age_identity, restore_target, manage, tmp_path, settings, setting, named
):
    archive = _backup(manage, tmp_path)
    replacement = {
        "AUDIT_HMAC_KEY": "another-audit-key-" + "x" * 32,
        "BLIND_INDEX_KEYS": ["another-blind-index-key-" + "y" * 32],
        "FIELD_ENCRYPTION_KEYS": ["Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC1rZXktMDA="],
    }[setting]
    setattr(settings, setting, replacement)

    code, _out, err = _restore(manage, archive, age_identity[0], tmp_path / "restored-documents", settings)

    assert code != 0
    assert named in err and "key escrow" in err and "undone" in err
    assert tables_with_data(restore_target) == []
    assert list((tmp_path / "restored-documents").iterdir()) == []


def test_backup_refuses_an_existing_output_and_a_missing_recipient(seeded, manage, tmp_path, settings):
    existing = tmp_path / "existing.tar.age"
    existing.write_bytes(b"keep me")
    code, _out, err = manage("backup", "--output", existing)
    assert code != 0 and "never replaces" in err
    assert existing.read_bytes() == b"keep me"

    settings.BACKUP_AGE_RECIPIENTS = []
    code, _out, err = manage("backup", "--output", tmp_path / "new.tar.age")
    assert code != 0 and "BACKUP_AGE_RECIPIENTS" in err
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith("new")) == []


def test_the_manifest_holds_counts_and_hashes_and_no_phi(seeded, age_identity, tmp_path, manage):
    archive = _backup(manage, tmp_path)
    manifest = backup_verify(archive=archive, identity=age_identity[0]).manifest
    assert manifest["row_counts"]["records_patient"] == 3
    assert manifest["audit"]["rows"] == AuditEvent.objects.count() - 1
    assert "records.0001_initial" in manifest["migrations"]
    text = str(manifest)
    for patient in seeded:
        fresh = Patient.objects.get(pk=patient.pk)
        for value in (fresh.given_name, fresh.family_name, fresh.mrn, fresh.email):
            assert value not in text


def test_the_backup_and_the_restore_are_audited_without_keys(
    seeded, age_identity, restore_target, manage, tmp_path, settings
):
    archive = _backup(manage, tmp_path)
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == "backup.create" and event.actor_id is None
    assert age_identity[1] not in str(event.details)
    _restore(manage, archive, age_identity[0], tmp_path / "restored-documents", settings)
    restored = AuditEvent.objects.using(restore_target).order_by("-id").first()
    assert restored.action == "backup.restore" and restored.outcome == "success"


def test_a_patient_added_after_the_backup_is_not_in_it(
    seeded, age_identity, restore_target, manage, tmp_path, settings
):
    archive = _backup(manage, tmp_path)
    register_patient()
    _restore(manage, archive, age_identity[0], tmp_path / "restored-documents", settings)
    assert Patient.objects.using(restore_target).count() == 3


@pytest.mark.postgres
def test_on_postgresql_the_restored_audit_table_stays_append_only(
    seeded, age_identity, restore_target, manage, tmp_path, settings
):
    archive = _backup(manage, tmp_path)
    code, _out, err = _restore(manage, archive, age_identity[0], tmp_path / "restored-documents", settings)
    assert code == 0, err
    with pytest.raises(DatabaseError), transaction.atomic(using=restore_target):
        AuditEvent.objects.using(restore_target).filter(id=1).update(outcome="failure")
    assert connections[restore_target].vendor == "postgresql"


def test_a_backup_that_fails_midway_leaves_no_file_and_is_audited(seeded, manage, tmp_path, monkeypatch):
    def failing_snapshot(path, **kwargs):
        path.write_bytes(b"half a database")
        raise BackupDatabaseError("pg_dump failed (pg_dump exit 1): connection refused")

    monkeypatch.setattr(services, "snapshot_write", failing_snapshot)
    code, _out, err = manage("backup", "--output", tmp_path / "nightly.tar.age")

    assert code != 0 and "nothing written" in err and "pg_dump failed" in err
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith("nightly")] == []
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.outcome) == ("backup.create", "failure")
