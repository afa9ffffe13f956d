"""Short fingerprints that name a key in output without revealing it: the first 8 hex digits of
the SHA-256 of the key. Enough to tell the keys of a ring apart and to match them against the
escrow; never the key, nor anything from which it could be recovered."""

import hashlib

FINGERPRINT_LENGTH = 8


def key_fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:FINGERPRINT_LENGTH]
