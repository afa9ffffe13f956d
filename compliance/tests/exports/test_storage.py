"""Export files at rest: encrypted chunk by chunk, and any damage is an error, never a shorter file."""

import os
import struct

import pytest
from cryptography.fernet import Fernet

from compliance.exports import storage
from compliance.exports.storage import (
    MAGIC,
    EncryptedChunkWriter,
    ExportFileError,
    decrypted_chunks,
    export_path,
    new_storage_name,
)


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(storage, "CHUNK_BYTES", 64)


def write(data: bytes) -> str:
    name = new_storage_name()
    writer = EncryptedChunkWriter(export_path(name))
    for start in range(0, len(data), 50):
        writer.write(data[start : start + 50])
    writer.close()
    assert writer.plain_size == len(data)
    return name


def frames(name: str) -> list[bytes]:
    raw = export_path(name).read_bytes()[len(MAGIC) :]
    found = []
    while raw:
        (length,) = struct.unpack(">I", raw[:4])
        found.append(raw[: 4 + length])
        raw = raw[4 + length :]
    return found


def rewrite(name: str, parts: list[bytes]) -> None:
    export_path(name).write_bytes(MAGIC + b"".join(parts))


def test_round_trip_over_many_chunks_and_no_plaintext_on_disk(small_chunks):
    data = b"CANARY-PLAINTEXT " * 100
    name = write(data)
    assert b"".join(decrypted_chunks(name)) == data
    assert len(frames(name)) > 10
    on_disk = export_path(name).read_bytes()
    assert b"CANARY" not in on_disk
    assert oct(os.stat(export_path(name)).st_mode & 0o777) == "0o600"


def test_an_empty_archive_round_trips():
    assert b"".join(decrypted_chunks(write(b""))) == b""


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda parts: parts[:-1], id="last chunk cut off"),
        pytest.param(lambda parts: [parts[1], parts[0], *parts[2:]], id="chunks swapped"),
        pytest.param(lambda parts: [parts[0], *parts[2:]], id="a chunk dropped"),
        pytest.param(lambda parts: [*parts, parts[-1]], id="data after the last chunk"),
        pytest.param(lambda parts: [parts[0][:-3] + b"xyz", *parts[1:]], id="a flipped byte"),
        pytest.param(lambda parts: [parts[0][:10]], id="cut mid-chunk"),
    ],
)
def test_damage_is_an_error(small_chunks, damage):
    name = write(b"0123456789" * 40)
    rewrite(name, damage(frames(name)))
    with pytest.raises(ExportFileError):
        b"".join(decrypted_chunks(name))


def test_a_writer_abandoned_before_close_leaves_nothing_readable(small_chunks):
    name = new_storage_name()
    writer = EncryptedChunkWriter(export_path(name))
    writer.write(b"x" * 500)
    writer._file.close()
    with pytest.raises(ExportFileError):
        b"".join(decrypted_chunks(name))
    writer.discard()
    assert not export_path(name).exists()


def test_a_file_under_a_key_no_longer_configured_is_an_error(settings):
    name = write(b"secret")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ExportFileError):
        b"".join(decrypted_chunks(name))


def test_an_older_key_still_in_the_ring_reads(settings):
    name = write(b"secret")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.FIELD_ENCRYPTION_KEYS]
    assert b"".join(decrypted_chunks(name)) == b"secret"


@pytest.mark.parametrize("bad", ["", "../etc/passwd", "ABC", "a/b"])
def test_storage_names_are_hex_only(bad):
    with pytest.raises(ValueError):
        export_path(bad)


def test_a_missing_file_is_an_error():
    with pytest.raises(ExportFileError):
        next(decrypted_chunks(new_storage_name()))


def test_the_folder_is_private(settings):
    assert oct(os.stat(storage.exports_dir()).st_mode & 0o777) == "0o700"
