"""Per-request context: a request id and the client IP, for logs and audit events.

The client IP honours X-Forwarded-For only as far as TRUSTED_PROXY_COUNT says: with N trusted
proxies, each appends the address it received the request from, so the client is the N-th
entry from the right. Anything to the left of that was written by the client and is ignored.
"""

import contextvars
import ipaddress
from dataclasses import dataclass

from django.conf import settings

REQUEST_ID_HEADER = "X-Request-ID"


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    client_ip: str | None
    user_agent: str


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("request_context", default=None)


def current_context() -> RequestContext | None:
    return _current.get()


def context_enter(context: RequestContext) -> contextvars.Token:
    """Make `context` the current one (core.middleware, per request); undo with `context_exit`."""
    return _current.set(context)


def context_exit(token: contextvars.Token) -> None:
    _current.reset(token)


def _valid_ip(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.9:443"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client address as far as trusted proxies vouch for it; never a raw client header."""
    peer = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return peer
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        # Fewer hops than trusted proxies: the request did not come through all of them.
        return peer
    return _valid_ip(forwarded[-proxies]) or peer


def client_ip_for_axes(request) -> str | None:
    return getattr(request, "client_ip", None) or client_ip(request)
