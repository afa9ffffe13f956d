"""A part HealthPro depends on (the database, the shared cache) that does not answer.

Such a request fails closed (nothing is signed in, nothing is written) with a 503 that says so,
never a 500: the API answers its JSON error shape (core.api_exceptions), pages a 503 page
(healthpro.views.server_error), and the log names the part. The health endpoint says 503 too.
"""

import logging

from django.db import InterfaceError, OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("healthpro.outages")

RETRY_AFTER_SECONDS = 30


def unavailable_part(exc: BaseException | None) -> str | None:
    """ "database" or "cache" when `exc` (or what caused it) says that part does not answer, else None."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, RedisConnectionError | RedisTimeoutError):
            return "cache"
        if isinstance(exc, OperationalError | InterfaceError):
            return "database"
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def outage_log(part: str, exc: BaseException) -> None:
    """One line naming the part, with the exception's type and stack (core.logging drops its text)."""
    logger.error("Service unavailable: the %s does not answer", part, exc_info=exc)
