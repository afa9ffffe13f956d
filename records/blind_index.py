"""Blind indexes: search encrypted identifiers by exact value without decrypting rows.

Each searchable identifier (MRN, family name, given name, date of birth, e-mail, phone) has a
column holding HMAC-SHA256(key, "<field>:" + normalized value). A search computes the same HMAC of
the term and filters on the indexed column.

Keys: BLIND_INDEX_KEYS, a ring. The first key writes every index; during a rotation a search looks
the term up under every key of the ring (`blind_indexes`), so rows not yet recomputed by
`manage.py reindex_blind_indexes` are still found; then the old key is removed. The field name is part of the message,
so an equal value in two fields (a given name that is also a family name) gives unrelated hashes.

Normalization folds what a person typing a search does not control: case (casefold), accents
(NFKD, combining marks dropped), and spaces (runs collapse to one, ends stripped). Phones keep
digits only (and a leading +); e-mail addresses are stripped and casefolded; dates are ISO.

What it reveals (also in the README): rows with equal normalized values share a hash, so anyone
who reads the table sees which patients share a family name, a birth date or a phone (frequency
and equality), though not the values. Without the key, a value cannot be confirmed by guessing.
"""

import hashlib
import hmac
import re
import unicodedata
from datetime import date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_SPACES = re.compile(r"\s+")
_NOT_PHONE = re.compile(r"[^0-9+]")


def normalize_text(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", without_accents.casefold()).strip()


def normalize_phone(value: str) -> str:
    digits = _NOT_PHONE.sub("", value.strip())
    return ("+" if digits.startswith("+") else "") + digits.replace("+", "")


def normalize_date(value: date | str) -> str:
    return value.isoformat() if isinstance(value, date) else str(value).strip()


NORMALIZERS = {
    "mrn": normalize_text,
    "family_name": normalize_text,
    "given_name": normalize_text,
    "date_of_birth": normalize_date,
    "email": normalize_text,
    "phone": normalize_phone,
}


def _keys() -> list[str]:
    keys = settings.BLIND_INDEX_KEYS
    if not keys:
        raise ImproperlyConfigured("BLIND_INDEX_KEYS is not set: encrypted fields cannot be searched.")
    return keys


def _hmac(key: str, field: str, normalized: str) -> str:
    return hmac.new(key.encode(), f"{field}:{normalized}".encode(), hashlib.sha256).hexdigest()


def blind_index(field: str, value) -> str:
    """The hex HMAC of `value` for the searchable `field` under the first key (what is stored);
    "" for an empty value."""
    return blind_index_under(_keys()[0], field, value)


def blind_index_under(key: str, field: str, value) -> str:
    """As blind_index, under the given key of the ring (key_status, reindexing)."""
    normalized = "" if value is None or value == "" else NORMALIZERS[field](value)
    return _hmac(key, field, normalized) if normalized else ""


def blind_indexes(field: str, value) -> list[str]:
    """The index `value` may be stored under: one per key of the ring, the first key's first."""
    return [blind_index_under(key, field, value) for key in _keys()]
