"""The test run's cache, emptied between tests (root conftest) and between matrix cells."""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def clear_cache() -> None:
    """Empty the default cache, on Redis only the keys of this run's prefix (the test settings
    give each run its own), so that a parallel run on the same Redis keeps its keys."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{backend.key_prefix}:*", count=500))
        if keys:
            client.delete(*keys)
    else:
        backend.clear()
