"""The archive: an uncompressed tar of the parts, streamed through age (pyrage).

Layout, in this order: `database.sqlite3` or `database.pgdump`, `documents/<storage name>` for
each document file, and `manifest.json` last, because the manifest holds the SHA-256 of every
part, computed while the parts stream. The tar is written and read by this module (ustar headers,
regular files only), never through a temporary plaintext tar, and it goes straight into
`pyrage.encrypt_io`, which encrypts with age's STREAM construction (64 KiB chunks, each
authenticated, the last one marked), so memory stays flat whatever the size and a modified or
truncated archive fails to decrypt. Reading is the mirror: `pyrage.decrypt_io` writes plaintext
into ArchiveReceiver, a push parser of the tar that hashes each part and, when asked, writes it
into a staging folder (mode 0700, files 0600).
"""

import hashlib
import os
import re
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyrage

BLOCK = 512
READ_CHUNK = 1024 * 1024
MANIFEST_NAME = "manifest.json"
DATABASE_NAMES = ("database.sqlite3", "database.pgdump")
DOCUMENT_PREFIX = "documents/"
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
_DOCUMENT_NAME = re.compile(r"^documents/[0-9a-f]{1,64}$")


class ArchiveError(Exception):
    """The archive cannot be read: wrong identity, modified, truncated, or not a HealthPro backup.
    The message names no key and no content."""


@dataclass(frozen=True)
class PartDigest:
    sha256: str
    size: int

    def as_manifest(self) -> dict:
        return {"sha256": self.sha256, "bytes": self.size}


def part_name_allowed(name: str) -> bool:
    return name == MANIFEST_NAME or name in DATABASE_NAMES or bool(_DOCUMENT_NAME.match(name))


def _header(name: str, size: int, mtime: float) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(mtime)
    info.type = tarfile.REGTYPE
    return info.tobuf(format=tarfile.USTAR_FORMAT)


def _padding(size: int) -> bytes:
    return b"\0" * (-size % BLOCK)


def tar_member(name: str, handle, digests: dict[str, PartDigest], on_bytes: Callable[[int], None]) -> Iterator[bytes]:
    """One member from an open file: its size is taken now, so the file must not grow meanwhile
    (the database part is our own snapshot; documents are written once and never changed)."""
    stat = os.fstat(handle.fileno())
    yield _header(name, stat.st_size, stat.st_mtime)
    digest = hashlib.sha256()
    remaining = stat.st_size
    while remaining:
        chunk = handle.read(min(READ_CHUNK, remaining))
        if not chunk:
            raise ArchiveError(f"Part {name} shrank while it was being archived.")
        remaining -= len(chunk)
        digest.update(chunk)
        on_bytes(len(chunk))
        yield chunk
    yield _padding(stat.st_size)
    digests[name] = PartDigest(digest.hexdigest(), stat.st_size)


def tar_bytes_member(name: str, data: bytes) -> Iterator[bytes]:
    yield _header(name, len(data), 0)
    yield data
    yield _padding(len(data))


def tar_end() -> bytes:
    return b"\0" * (2 * BLOCK)


class ChunkReader:
    """A file-like `read(n)` over an iterator of byte chunks, for pyrage.encrypt_io."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._buffer = bytearray()
        self._done = False

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            try:
                self._buffer += next(self._chunks)
            except StopIteration:
                self._done = True
        if size < 0 or size >= len(self._buffer):
            data = bytes(self._buffer)
            self._buffer.clear()
            return data
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data


def recipients_parse(values: list[str]) -> list:
    """age recipients (age1...) from their text; the error never repeats the value."""
    if not values:
        raise ArchiveError("No age recipient is configured: set BACKUP_AGE_RECIPIENTS (README, 'Backups and restore').")
    recipients = []
    for position, value in enumerate(values, start=1):
        try:
            recipients.append(pyrage.x25519.Recipient.from_str(value.strip()))
        except pyrage.RecipientError:
            raise ArchiveError(
                f"BACKUP_AGE_RECIPIENTS entry {position} is not an age X25519 public key (age1...)."
            ) from None
    return recipients


def identities_read(path: Path) -> list:
    """The age identities (AGE-SECRET-KEY-1...) in an identity file, as `age-keygen` writes it."""
    try:
        lines = Path(path).read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ArchiveError(f"Cannot read the identity file {path}: {type(error).__name__}.") from None
    identities = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            identities.append(pyrage.x25519.Identity.from_str(line))
        except pyrage.IdentityError:
            raise ArchiveError(f"The identity file {path} holds a line that is not an age identity.") from None
    if not identities:
        raise ArchiveError(f"The identity file {path} holds no age identity (AGE-SECRET-KEY-1...).")
    return identities


def encrypt_to(chunks: Iterator[bytes], output, recipients: list) -> None:
    try:
        pyrage.encrypt_io(ChunkReader(chunks), output, recipients)
    except pyrage.EncryptError as error:
        raise ArchiveError(f"Encryption failed: {error}") from None


@dataclass
class ArchiveReceiver:
    """The `writer` for pyrage.decrypt_io: parses the tar as plaintext arrives, hashes every part,
    keeps the manifest in memory and, with a staging folder, writes the other parts there."""

    staging: Path | None = None
    on_bytes: Callable[[int], None] = lambda count: None
    digests: dict[str, PartDigest] = field(default_factory=dict)
    manifest_bytes: bytes | None = None
    ended: bool = False
    error: ArchiveError | None = None
    _buffer: bytearray = field(default_factory=bytearray)
    _name: str = ""
    _size: int = 0
    _remaining: int = 0
    _padding: int = 0
    _hash: object = None
    _handle: object = None
    _manifest: bytearray | None = None

    def write(self, data) -> int:
        self._buffer += data
        try:
            self._consume()
        except ArchiveError as error:
            self.error = error
            raise
        return len(data)

    def _consume(self) -> None:
        while self._buffer:
            if self._remaining:
                self._member_data()
            elif self._padding:
                step = min(self._padding, len(self._buffer))
                del self._buffer[:step]
                self._padding -= step
            elif self._name:
                self._member_close()
            elif len(self._buffer) >= BLOCK:
                self._member_open(bytes(self._buffer[:BLOCK]))
                del self._buffer[:BLOCK]
            else:
                return
        if self._name and not self._remaining and not self._padding:
            self._member_close()

    def _member_open(self, block: bytes) -> None:
        if self.ended:
            if block.strip(b"\0"):
                raise ArchiveError("The archive holds data after its end.")
            return
        if not block.strip(b"\0"):
            self.ended = True
            return
        try:
            info = tarfile.TarInfo.frombuf(block, "utf-8", "strict")
        except (tarfile.HeaderError, UnicodeDecodeError):
            raise ArchiveError("The archive's content is damaged (a part header does not parse).") from None
        if not info.isreg() or not part_name_allowed(info.name) or info.name in self.digests:
            raise ArchiveError("The archive holds a part that a HealthPro backup never holds.")
        if info.name == MANIFEST_NAME and info.size > MANIFEST_MAX_BYTES:
            raise ArchiveError("The archive's manifest is larger than any HealthPro manifest.")
        self._name = info.name
        self._size = info.size
        self._remaining = info.size
        self._padding = -info.size % BLOCK
        self._hash = hashlib.sha256()
        if info.name == MANIFEST_NAME:
            self._manifest = bytearray()
        elif self.staging is not None:
            path = self.staging / info.name
            path.parent.mkdir(mode=0o700, exist_ok=True)
            self._handle = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")

    def _member_data(self) -> None:
        step = min(self._remaining, len(self._buffer))
        chunk = bytes(self._buffer[:step])
        del self._buffer[:step]
        self._remaining -= step
        self._hash.update(chunk)
        self.on_bytes(step)
        if self._manifest is not None:
            self._manifest += chunk
        elif self._handle is not None:
            self._handle.write(chunk)

    def _member_close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if self._manifest is not None:
            self.manifest_bytes = bytes(self._manifest)
            self._manifest = None
        else:
            self.digests[self._name] = PartDigest(self._hash.hexdigest(), self._size)
        self._name = ""

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
