"""Fixed-window counters in the shared cache (Redis in production, so every worker sees them)."""

import hashlib
import time

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


def fixed_window_count(*, scope: str, key: str, window_seconds: int) -> tuple[int, float]:
    """Count one request for (scope, key) in the current window of `window_seconds`, aligned to
    the clock; returns the count so far in this window (this one included) and the seconds until
    the window ends. One atomic INCR on Redis: parallel requests on every worker each get their
    own count, so no more than the limit pass, unlike DRF's read-then-write cache throttles."""
    now = time.time()
    window = int(now // window_seconds)
    cache_key = f"ratelimit:{scope}:{window}:" + hashlib.sha256(key.encode()).hexdigest()
    cache.add(cache_key, 0, timeout=window_seconds + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr (the window just ended)
        cache.add(cache_key, 1, timeout=window_seconds + 1)
        count = 1
    return count, (window + 1) * window_seconds - now
