"""DRF throttles on an atomic counter in the shared cache (core.rate_limits).

DRF's own cache throttles read the request history, decide, then write it back: parallel requests
on several workers all read "under the limit" (30 parallel calls with a limit of 10 let 14 to 20
through on gunicorn + Redis). `AtomicScopedRateThrottle` counts with one INCR per request in a
fixed window aligned to the clock, so at most the limit pass per window (a client may use one
window's limit at its end and the next one's at its start). Rates are read from the REST_FRAMEWORK
setting on every request, as configured (THROTTLE_RATES).
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from core.rate_limits import fixed_window_count


class AtomicScopedRateThrottle(ScopedRateThrottle):
    """ScopedRateThrottle (the view's `throttle_scope`, per user or else per client address) on an
    atomic fixed-window counter."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        count, self._wait = fixed_window_count(scope="throttle", key=self.key, window_seconds=self.duration)
        return count <= self.num_requests

    def wait(self):
        return self._wait
