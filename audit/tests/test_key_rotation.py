"""Rotating AUDIT_HMAC_KEY: rows name their key, a rotation row links the old chain to the new key
and seals the rows before it, and verify_audit_log passes across the rotation, also once the old
key is removed; tampering before or after the rotation is still caught."""

import secrets
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.chain import GENESIS_HASH, KEY_ROTATION_ACTION, compute_hash
from audit.models import AuditEvent
from audit.services import record_security_event
from audit.tests.helpers import tamper
from audit.verification import verify_chain
from core.key_fingerprints import key_fingerprint

pytestmark = pytest.mark.django_db
OLD_KEY = secrets.token_urlsafe(32)
NEW_KEY = secrets.token_urlsafe(32)


@pytest.fixture
def old_chain(settings):
    settings.AUDIT_HMAC_KEY = OLD_KEY
    settings.AUDIT_HMAC_PREVIOUS_KEYS = []
    return [record_security_event(action="test.before", details={"n": n}) for n in range(4)]


def rotate_settings(settings, *, keep_old: bool) -> None:
    settings.AUDIT_HMAC_KEY = NEW_KEY
    settings.AUDIT_HMAC_PREVIOUS_KEYS = [OLD_KEY] if keep_old else []


def command(name: str) -> str:
    out = StringIO()
    call_command(name, stdout=out)
    return out.getvalue()


def test_the_chain_verifies_across_a_rotation_and_after_the_old_key_is_removed(settings, old_chain):
    assert {event.key_id for event in old_chain} == {key_fingerprint(OLD_KEY)}
    rotate_settings(settings, keep_old=True)
    waiting = record_security_event(action="test.before_the_rotation_row")
    assert waiting.key_id == key_fingerprint(OLD_KEY), "no key change without a rotation row"

    output = command("rotate_audit_key")
    rotation = AuditEvent.objects.get(action=KEY_ROTATION_ACTION)
    assert f"rotation row {rotation.id} seals rows 1..{waiting.id}" in output
    assert rotation.key_id == key_fingerprint(NEW_KEY) and rotation.previous_hash == waiting.row_hash
    assert rotation.details["previous_key"] == key_fingerprint(OLD_KEY)
    after = record_security_event(action="test.after")
    assert after.key_id == key_fingerprint(NEW_KEY)
    assert "already signed under key" in command("rotate_audit_key")
    assert "7 rows verified" in command("verify_audit_log")

    rotate_settings(settings, keep_old=False)
    assert "7 rows verified" in command("verify_audit_log"), "the old rows are sealed under the new key"
    for key in (OLD_KEY, NEW_KEY):
        assert key not in output and key not in str(rotation.details)


@pytest.mark.parametrize("when", ["old key listed", "old key removed"])
def test_an_old_row_edited_after_the_rotation_is_caught(settings, old_chain, when):
    rotate_settings(settings, keep_old=True)
    command("rotate_audit_key")
    rotate_settings(settings, keep_old=when == "old key listed")
    tamper("UPDATE audit_auditevent SET action = 'edited' WHERE id = %s", [old_chain[1].id])
    report = verify_chain()
    rotation = AuditEvent.objects.get(action=KEY_ROTATION_ACTION)
    if when == "old key listed":
        assert report.first_bad_id == old_chain[1].id and "altered" in report.problem
    else:
        assert report.first_bad_id == rotation.id and "not the rows it sealed" in report.problem


def test_an_edited_rotation_row_is_caught(settings, old_chain):
    rotate_settings(settings, keep_old=True)
    command("rotate_audit_key")
    rotation = AuditEvent.objects.get(action=KEY_ROTATION_ACTION)
    tamper(
        "UPDATE audit_auditevent SET details = %s WHERE id = %s",
        ['{"previous_key": "x", "key": "y", "sealed_through_id": 1, "sealed_digest": "z"}', rotation.id],
    )
    rotate_settings(settings, keep_old=False)
    assert verify_chain().first_bad_id == rotation.id


def test_a_key_change_without_a_rotation_row_is_caught(settings, old_chain):
    """The botched rotation: a new key, the old one not listed, no rotate_audit_key."""
    rotate_settings(settings, keep_old=False)
    after = record_security_event(action="test.after")
    report = verify_chain()
    assert report.first_bad_id == after.id
    assert "changes the signing key without a rotation row" in report.problem


def test_a_chain_that_does_not_verify_is_not_sealed(settings, old_chain):
    tamper("UPDATE audit_auditevent SET action = 'edited' WHERE id = %s", [old_chain[2].id])
    rotate_settings(settings, keep_old=True)
    with pytest.raises(CommandError, match=f"row {old_chain[2].id}"):
        command("rotate_audit_key")
    assert not AuditEvent.objects.filter(action=KEY_ROTATION_ACTION).exists()


def test_rows_written_before_key_ids_rotate_too(settings):
    """Rows from before the key_id column: hashed without it, under the key of their time."""
    settings.AUDIT_HMAC_KEY = OLD_KEY
    previous = GENESIS_HASH
    for n in range(1, 4):
        event = AuditEvent(id=n, occurred_at=timezone.now(), category="security", action="test.legacy", details={})
        event.previous_hash = previous
        event.row_hash = compute_hash(event, key=OLD_KEY)
        event.save(force_insert=True)
        previous = event.row_hash
    assert verify_chain().ok
    assert record_security_event(action="test.labelled").key_id == key_fingerprint(OLD_KEY)
    rotate_settings(settings, keep_old=True)
    command("rotate_audit_key")
    rotate_settings(settings, keep_old=False)
    report = verify_chain()
    assert report.ok and report.rows_checked == 5, report.problem
