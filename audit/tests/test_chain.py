"""The hash chain: verify_audit_log passes on an intact log and names the first bad row when a row
is edited, deleted or inserted; on PostgreSQL the table refuses UPDATE and DELETE outright; parallel
writers never fork the chain."""

import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from audit.chain import GENESIS_HASH, compute_hash
from audit.models import AuditEvent
from audit.services import record_access, record_security_event
from audit.tests.helpers import tamper
from audit.verification import verify_chain
from core.request_context import RequestContext, _current


def _write_events(count: int) -> list[AuditEvent]:
    return [record_security_event(action="test.event", details={"n": n}) for n in range(count)]


def _verify_command_output() -> str:
    out = StringIO()
    call_command("verify_audit_log", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_an_intact_log_verifies_and_the_command_prints_the_head_hash():
    events = _write_events(5)
    output = _verify_command_output()
    assert "5 rows verified" in output
    assert events[-1].row_hash in output


@pytest.mark.django_db
def test_an_empty_log_verifies():
    report = verify_chain()
    assert report.ok and report.rows_checked == 0 and report.head_hash == GENESIS_HASH


@pytest.mark.django_db
def test_each_row_links_to_the_one_before():
    first, second, third = _write_events(3)
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.row_hash
    assert third.previous_hash == second.row_hash


@pytest.mark.django_db
def test_an_edited_row_is_named_by_the_command():
    events = _write_events(5)
    tamper("UPDATE audit_auditevent SET outcome = 'failure' WHERE id = %s", [events[2].id])
    with pytest.raises(CommandError, match=rf"broken at row {events[2].id}: row {events[2].id} was altered"):
        call_command("verify_audit_log")


@pytest.mark.django_db
def test_an_edited_details_value_is_caught():
    events = _write_events(3)
    tamper("UPDATE audit_auditevent SET details = %s WHERE id = %s", ['{"n": 99}', events[1].id])
    report = verify_chain()
    assert report.first_bad_id == events[1].id


@pytest.mark.django_db
def test_a_deleted_row_is_named_by_the_command():
    events = _write_events(5)
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[2].id])
    with pytest.raises(CommandError, match=rf"broken at row {events[3].id}: .*missing"):
        call_command("verify_audit_log")


@pytest.mark.django_db
def test_a_deleted_row_with_renumbered_successors_is_still_caught():
    """Deleting a row and shifting the later ids down keeps the ids consecutive; the link breaks."""
    events = _write_events(4)
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].id])
    tamper("UPDATE audit_auditevent SET id = id - 1 WHERE id > %s", [events[1].id])
    report = verify_chain()
    assert report.first_bad_id == events[1].id
    assert "does not link" in report.problem


@pytest.mark.django_db
def test_a_row_inserted_without_the_key_is_named_by_the_command():
    events = _write_events(3)
    forged = AuditEvent(
        id=events[-1].id + 1,
        occurred_at=events[-1].occurred_at,
        category=AuditEvent.Category.SECURITY,
        action="auth.login",
        previous_hash=events[-1].row_hash,
        details={},
    )
    forged.row_hash = compute_hash(forged, key="the attacker does not have the real key")
    forged.save(force_insert=True)
    with pytest.raises(CommandError, match=rf"broken at row {forged.id}"):
        call_command("verify_audit_log")


@pytest.mark.django_db
def test_a_row_inserted_between_two_others_is_caught():
    events = _write_events(3)
    tamper("UPDATE audit_auditevent SET id = id + 1 WHERE id >= %s", [events[2].id])
    forged = AuditEvent(
        id=events[2].id,
        occurred_at=events[1].occurred_at,
        category=AuditEvent.Category.SECURITY,
        action="auth.logout",
        previous_hash=events[1].row_hash,
        details={},
    )
    forged.row_hash = compute_hash(forged, key="not the key")
    forged.save(force_insert=True)
    report = verify_chain()
    assert report.first_bad_id == events[2].id


@pytest.mark.django_db
def test_values_are_hashed_as_stored():
    """An IPv4-mapped IPv6 client and non-string detail keys read back differently from how they
    were passed in; the hash covers the stored form, so such rows verify."""

    token = _current.set(RequestContext(request_id="a" * 32, client_ip="::ffff:cb00:7109", user_agent="pytest"))
    try:
        record_security_event(action="test.mapped_ip")
    finally:
        _current.reset(token)
    record_security_event(action="test.mixed_keys", details={1: "one", "b": 2})
    report = verify_chain()
    assert report.ok, report.problem


@pytest.mark.django_db
def test_a_different_key_fails_the_whole_chain(settings):
    _write_events(2)
    settings.AUDIT_HMAC_KEY = "another key entirely, for example after a botched rotation"
    report = verify_chain()
    assert report.first_bad_id == AuditEvent.objects.order_by("id").first().id


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_auditevent SET action = 'edited' WHERE id = %s", "DELETE FROM audit_auditevent WHERE id = %s"],
)
def test_postgresql_refuses_update_and_delete(statement):
    event = record_access(actor=None, patient_id=7, record_type="patient", action="read", purpose="care_team")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [event.id])
    assert AuditEvent.objects.get(id=event.id).action == "read"


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_refuses_an_orm_update_and_delete():
    event = record_security_event(action="auth.login")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(id=event.id).update(outcome="failure")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(id=event.id).delete()
    assert AuditEvent.objects.filter(id=event.id, outcome="success").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_writers_do_not_fork_the_chain():
    writers, events_each = 8, 25
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write():
        try:
            start.wait()
            for n in range(events_each):
                record_security_event(action="test.parallel", details={"n": n})
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    report = verify_chain()
    assert report.ok, report.problem
    assert report.rows_checked == writers * events_each
    previous_hashes = list(AuditEvent.objects.values_list("previous_hash", flat=True))
    assert len(previous_hashes) == len(set(previous_hashes)), "two rows claim the same predecessor"
