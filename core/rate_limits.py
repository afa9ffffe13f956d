"""Fixed-window counters in the shared cache (Redis in production, so every worker sees them)."""

import hashlib

from django.core.cache import cache


def rate_limit_hit(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt for (scope, key); True when it is over `limit` in the current window.

    The key is hashed: cache keys must not carry e-mail addresses. `add` then `incr` is atomic on
    Redis and on the local-memory cache, so parallel requests cannot all read "under the limit".
    """
    cache_key = "ratelimit:" + scope + ":" + hashlib.sha256(key.encode()).hexdigest()
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        count = 1
    return count > limit
