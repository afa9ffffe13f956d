"""Encrypted document files on disk, under settings.DOCUMENTS_DIR (outside any web-served folder).

Files are written already encrypted (Fernet, the field-encryption keys) under a random name that
says nothing about the patient or the document; only records.services and records.selectors call
these functions, after the access checks.
"""

import os
import secrets
from pathlib import Path

from django.conf import settings


def documents_dir() -> Path:
    path = Path(settings.DOCUMENTS_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def new_storage_name() -> str:
    return secrets.token_hex(24)


def _path(storage_name: str) -> Path:
    if not storage_name or not all(char in "0123456789abcdef" for char in storage_name):
        raise ValueError("Not a document storage name.")
    return documents_dir() / storage_name


def write_document_file(storage_name: str, encrypted: bytes) -> None:
    path = _path(storage_name)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(encrypted)


def replace_document_file(storage_name: str, encrypted: bytes) -> None:
    """Replace a document's file without a moment where it is missing or half written: the new
    content goes to a file beside it, is flushed to disk, then renamed over the old one."""
    path = _path(storage_name)
    partial = path.with_name(f"{path.name}.partial")
    partial.unlink(missing_ok=True)  # left by a run that stopped before its rename
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(encrypted)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def read_document_file(storage_name: str) -> bytes:
    return _path(storage_name).read_bytes()


def delete_document_file(storage_name: str) -> None:
    _path(storage_name).unlink(missing_ok=True)
