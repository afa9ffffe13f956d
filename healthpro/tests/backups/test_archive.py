"""The archive format on its own: the tar written and parsed in a stream, in any chunking, and the
manifest's shape."""

import io
import json

import pyrage
import pytest

from healthpro.backups.archive import (
    ArchiveError,
    ArchiveReceiver,
    ChunkReader,
    PartDigest,
    encrypt_to,
    recipients_parse,
    tar_bytes_member,
    tar_end,
    tar_member,
)
from healthpro.backups.manifest import manifest_check_parts, manifest_parse
from healthpro.backups.progress import ProgressPrinter

DOCUMENT = "documents/" + "ab" * 24


def _plain_tar(tmp_path, parts: dict[str, bytes]) -> tuple[bytes, dict]:
    digests: dict[str, PartDigest] = {}
    chunks = []
    for name, content in parts.items():
        path = tmp_path / name.replace("/", "_")
        path.write_bytes(content)
        with open(path, "rb") as handle:
            chunks.extend(tar_member(name, handle, digests, lambda count: None))
    chunks.extend(tar_bytes_member("manifest.json", b"{}"))
    chunks.append(tar_end())
    return b"".join(chunks), digests


@pytest.mark.parametrize("chunk", [1, 511, 512, 513, 8192, 10**6])
def test_the_receiver_parses_the_tar_in_any_chunking(tmp_path, chunk):
    parts = {"database.sqlite3": b"d" * 70_001, DOCUMENT: b"", "documents/" + "cd" * 24: b"x" * 512}
    data, digests = _plain_tar(tmp_path, parts)
    staging = tmp_path / "staging"
    staging.mkdir()
    receiver = ArchiveReceiver(staging=staging)
    for start in range(0, len(data), chunk):
        receiver.write(data[start : start + chunk])
    assert receiver.ended
    assert receiver.digests == digests
    assert receiver.manifest_bytes == b"{}"
    for name, content in parts.items():
        assert (staging / name).read_bytes() == content


@pytest.mark.parametrize("name", ["../escape", "documents/../../etc/passwd", "documents/NOT-HEX", "other.txt"])
def test_a_part_name_a_backup_never_holds_is_refused(tmp_path, name):
    data = b"".join(tar_bytes_member(name, b"x")) + tar_end()
    receiver = ArchiveReceiver(staging=tmp_path)
    with pytest.raises(ArchiveError, match="never holds"):
        receiver.write(data)
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_header_is_refused(tmp_path):
    data = bytearray(b"".join(tar_bytes_member("database.sqlite3", b"x")))
    data[150] ^= 0xFF  # inside the header's checksum field
    with pytest.raises(ArchiveError, match="damaged"):
        ArchiveReceiver().write(bytes(data))


def test_the_chunk_reader_returns_exactly_what_was_asked():
    reader = ChunkReader(iter([b"abc", b"", b"defgh", b"i"]))
    assert [reader.read(4), reader.read(4), reader.read(4), reader.read(4)] == [b"abcd", b"efgh", b"i", b""]


def test_streamed_encryption_round_trips_through_age(tmp_path):
    identity = pyrage.x25519.Identity.generate()
    output = io.BytesIO()
    encrypt_to(iter([b"a" * 100_000, b"b" * 3]), output, recipients_parse([str(identity.to_public())]))
    assert pyrage.decrypt(output.getvalue(), [identity]) == b"a" * 100_000 + b"bbb"


def test_a_recipient_that_is_not_an_age_key_is_named_by_position_only():
    with pytest.raises(ArchiveError, match="entry 2") as error:
        recipients_parse([str(pyrage.x25519.Identity.generate().to_public()), "not-a-key-secret-looking"])
    assert "not-a-key-secret-looking" not in str(error.value)


def _manifest(**overrides):
    manifest = {
        "format": "healthpro-backup",
        "format_version": 1,
        "created_at": "2026-01-01T00:00:00+00:00",
        "app_version": "1.0.0",
        "database_engine": "sqlite",
        "migrations": ["audit.0001_initial"],
        "row_counts": {"audit_auditevent": 1},
        "audit": {"rows": 1, "head_hash": "a" * 64},
        "parts": {"database.sqlite3": {"sha256": "b" * 64, "bytes": 3}},
    }
    manifest.update(overrides)
    return json.dumps(manifest).encode()


def test_a_well_formed_manifest_parses():
    assert manifest_parse(_manifest())["database_engine"] == "sqlite"


@pytest.mark.parametrize(
    "overrides",
    [
        {"format": "tar"},
        {"format_version": 2},
        {"database_engine": "mysql"},
        {"migrations": []},
        {"row_counts": {"t": -1}},
        {"audit": {"rows": 1, "head_hash": "short"}},
        {"parts": {}},
        {"parts": {"database.sqlite3": {"sha256": "b" * 64, "bytes": 3}, "../x": {"sha256": "b" * 64, "bytes": 1}}},
    ],
)
def test_a_manifest_of_the_wrong_shape_is_refused(overrides):
    with pytest.raises(ArchiveError, match="not a HealthPro manifest"):
        manifest_parse(_manifest(**overrides))


def test_parts_are_checked_against_the_manifest_both_ways():
    manifest = manifest_parse(_manifest())
    manifest_check_parts(manifest, {"database.sqlite3": PartDigest("b" * 64, 3)})
    with pytest.raises(ArchiveError, match="altered"):
        manifest_check_parts(manifest, {"database.sqlite3": PartDigest("c" * 64, 3)})
    with pytest.raises(ArchiveError, match="lacks"):
        manifest_check_parts(manifest, {})
    with pytest.raises(ArchiveError, match="does not list"):
        manifest_check_parts(manifest, {"database.sqlite3": PartDigest("b" * 64, 3), DOCUMENT: PartDigest("d" * 64, 0)})


class _Output:
    def __init__(self, tty):
        self.tty = tty
        self.text = ""

    def isatty(self):
        return self.tty

    def write(self, message, ending="\n"):
        self.text += message + ending

    def flush(self):
        return None


def test_progress_rewrites_one_line_on_a_terminal_and_writes_plain_lines_otherwise():
    from_terminal, to_journal = _Output(tty=True), _Output(tty=False)
    for output in (from_terminal, to_journal):
        printer = ProgressPrinter(output)
        printer("archived: 64 MiB")
        printer("archived: 128 MiB")
        printer.finish()
    assert to_journal.text == "archived: 64 MiB\narchived: 128 MiB\n"
    assert from_terminal.text == "\rarchived: 64 MiB\rarchived: 128 MiB\n"
