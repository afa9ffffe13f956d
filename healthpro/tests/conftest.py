import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.test import APIClient


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


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttle counters live in the cache: every test starts, and leaves, with none."""
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def user(make_user):
    return make_user()
