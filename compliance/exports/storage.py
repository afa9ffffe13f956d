"""Export archives on disk: encrypted, under settings.EXPORTS_DIR, outside any web-served folder.

An archive can be larger than what a process should hold in memory, so it is encrypted in chunks
as it is written, and decrypted chunk by chunk as it is served. Each chunk is one Fernet token
under the field-encryption keys (records.fields: the first key encrypts, all decrypt, so a key
rotation does not lock out an export made before it; exports live a few days, they are not
re-encrypted). A token's plaintext starts with its position and a last-chunk flag, so that
chunks swapped, dropped or cut off at the end are an error, not a shorter archive.

File layout: MAGIC, then for each chunk a 4-byte big-endian length and the token.
"""

import os
import secrets
import struct
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from records.fields import FieldDecryptionError, decrypt_bytes, encrypt_bytes

MAGIC = b"HPEXPORT1\n"
CHUNK_BYTES = 1024 * 1024
_HEADER = struct.Struct(">QB")  # chunk position, last-chunk flag
_LENGTH = struct.Struct(">I")


class ExportFileError(Exception):
    """An export file is missing, damaged or not openable with the configured keys. No content."""


def exports_dir() -> Path:
    path = Path(settings.EXPORTS_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def new_storage_name() -> str:
    return secrets.token_hex(24)


def export_path(storage_name: str) -> Path:
    if not storage_name or not all(char in "0123456789abcdef" for char in storage_name):
        raise ValueError("Not an export storage name.")
    return exports_dir() / storage_name


class EncryptedChunkWriter:
    """A write-only binary file object that encrypts what it is given, CHUNK_BYTES at a time, into
    a new file (mode 0600, created exclusively). zipfile writes to it as to any unseekable stream.
    `close()` writes the last chunk; a writer abandoned without `close()` leaves a file that does
    not read back (no last chunk), and `discard()` removes it."""

    def __init__(self, path: Path):
        self.path = path
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._file = os.fdopen(descriptor, "wb")
        self._file.write(MAGIC)
        self._buffer = bytearray()
        self._position = 0
        self.plain_size = 0
        self.closed = False

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self.plain_size

    def flush(self) -> None:
        pass

    def write(self, data) -> int:
        if self.closed:
            raise ValueError("write to a closed export file")
        self._buffer += data
        self.plain_size += len(data)
        while len(self._buffer) > CHUNK_BYTES:
            self._emit(bytes(self._buffer[:CHUNK_BYTES]), last=False)
            del self._buffer[:CHUNK_BYTES]
        return len(data)

    def _emit(self, data: bytes, *, last: bool) -> None:
        token = encrypt_bytes(_HEADER.pack(self._position, 1 if last else 0) + data)
        self._file.write(_LENGTH.pack(len(token)) + token)
        self._position += 1

    def close(self) -> None:
        if self.closed:
            return
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self.closed = True

    def discard(self) -> None:
        if not self._file.closed:
            self._file.close()
        self.closed = True
        self.path.unlink(missing_ok=True)

    @property
    def stored_size(self) -> int:
        return self.path.stat().st_size


def _read_exactly(handle, size: int) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise ExportFileError("The export file is cut short.")
    return data


def decrypted_chunks(storage_name: str) -> Iterator[bytes]:
    """The archive's bytes, chunk by chunk. Raises ExportFileError on a missing or damaged file
    (the first chunk is checked before anything is yielded, when a caller calls `next`)."""
    try:
        handle = export_path(storage_name).open("rb")
    except (OSError, ValueError) as error:
        raise ExportFileError("The export file is missing.") from error
    with handle:
        if handle.read(len(MAGIC)) != MAGIC:
            raise ExportFileError("Not an export file.")
        expected = 0
        while True:
            (length,) = _LENGTH.unpack(_read_exactly(handle, _LENGTH.size))
            try:
                plain = decrypt_bytes(_read_exactly(handle, length))
            except FieldDecryptionError as error:
                raise ExportFileError("An export chunk does not decrypt.") from error
            position, last = _HEADER.unpack_from(plain)
            if position != expected:
                raise ExportFileError("The export file's chunks are out of order.")
            yield plain[_HEADER.size :]
            if last:
                if handle.read(1):
                    raise ExportFileError("The export file has data after its last chunk.")
                return
            expected += 1


def delete_export_file(storage_name: str) -> None:
    if storage_name:
        export_path(storage_name).unlink(missing_ok=True)
