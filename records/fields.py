"""Encrypted model fields for PHI: django-encrypted-model-fields, made strict.

The library returns the stored ciphertext as the field's value when it cannot decrypt it (a
wrong, missing or rotated-out key, a damaged row): a user would see `gAAAA...`, and the next
save would encrypt that ciphertext again, losing the value for good. These fields raise
`FieldDecryptionError` instead.

Keys: settings.FIELD_ENCRYPTION_KEYS, a list of Fernet keys; the first encrypts, every one of
them decrypts (MultiFernet), so a key is rotated by putting a new one first and re-saving rows
(`rotate` re-encrypts a token under the first key). The crypter is built from the current
setting, not frozen at import, so a rotation needs no code change.

Only values read from the database are decrypted (`from_db_value`); `to_python` sees form and
API input and never tries to decrypt it. These fields cannot be filtered on or be unique: search
goes through blind indexes (records.blind_index).
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from encrypted_model_fields.fields import EncryptedMixin


class FieldDecryptionError(Exception):
    """A stored value could not be decrypted with any configured key. Carries no value."""


@lru_cache(maxsize=4)
def _crypter_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: PHI cannot be encrypted.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS holds a key that is not a Fernet key.") from error


def crypter() -> MultiFernet:
    return _crypter_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_bytes(data: bytes) -> bytes:
    return crypter().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return crypter().decrypt(token)
    except InvalidToken:
        raise FieldDecryptionError("Stored data could not be decrypted with the configured keys.") from None


def encrypt_text(value: str) -> str:
    return encrypt_bytes(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    return decrypt_bytes(token.encode("ascii", errors="replace")).decode("utf-8")


def rotate_text(token: str) -> str:
    """The same value, encrypted under the first (current) key."""
    try:
        return crypter().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise FieldDecryptionError("Stored data could not be decrypted with the configured keys.") from None


def rotate_bytes(token: bytes) -> bytes:
    """The same data, encrypted under the first (current) key."""
    try:
        return crypter().rotate(token)
    except InvalidToken:
        raise FieldDecryptionError("Stored data could not be decrypted with the configured keys.") from None


@lru_cache(maxsize=16)
def _fernet(key: str) -> Fernet:
    return Fernet(key)


def key_position(token: bytes | str) -> int | None:
    """The position in FIELD_ENCRYPTION_KEYS of the key `token` was encrypted under (0: the first,
    current key); None when no configured key opens it. Checks the token's MAC, decrypts nothing."""
    if isinstance(token, str):
        token = token.encode("ascii", errors="replace")
    for position, key in enumerate(settings.FIELD_ENCRYPTION_KEYS):
        try:
            _fernet(key).extract_timestamp(token)
        except InvalidToken:
            continue
        return position
    return None


class StrictEncryptedMixin(EncryptedMixin):
    """EncryptedMixin that raises on a value it cannot decrypt, and uses the current keys."""

    def to_python(self, value):
        # Input from forms, serializers and assignments is plaintext: skip EncryptedMixin's
        # decrypt-or-pass-through and use the base field's conversion.
        return super(EncryptedMixin, self).to_python(value)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return super(EncryptedMixin, self).to_python(decrypt_text(value))

    def get_db_prep_save(self, value, connection):
        value = super(EncryptedMixin, self).get_db_prep_save(value, connection)
        if value is None:
            return None
        return encrypt_text(str(value))


class EncryptedCharField(StrictEncryptedMixin, models.CharField):
    pass


class EncryptedTextField(StrictEncryptedMixin, models.TextField):
    pass


class EncryptedDateField(StrictEncryptedMixin, models.DateField):
    pass


class EncryptedEmailField(StrictEncryptedMixin, models.EmailField):
    pass


def is_encrypted(field) -> bool:
    return isinstance(field, StrictEncryptedMixin)
