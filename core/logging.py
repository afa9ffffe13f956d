"""Structured logging with the request id, and nothing secret in it.

Exception messages are left out of log lines in production: database errors quote the values
that failed (an e-mail, a name), so only the exception type and the stack are written.
"""

import json
import logging
import re
import traceback
from datetime import UTC, datetime

from core.request_context import current_context

# Names whose value is a secret, as a whole word or part of one: password, new_password,
# password1, access_token, SECRET_KEY, api-key, otp_code, code, sessionid, csrftoken, Cookie, ...
# (not status_code: an HTTP status is no secret)
_SENSITIVE_NAMES = (
    r"[A-Za-z0-9_-]*(?:passw(?:or)?d|pwd|secret|token|otp|key|signature|credential|authorization|cookie|"
    r"sessionid|csrf)[A-Za-z0-9_-]*|(?:otp|totp|mfa|recovery|verification|backup|reset|auth)[_-]?codes?|codes?"
)
SECRET_PATTERNS = [
    (re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), "[jwt]"),
    # accounts: the one-time token of an e-mailed link path (Django logs 4xx paths), e.g.
    # /accounts/password/reset/<uidb64>/<token>/ (accounts/urls.py).
    (
        re.compile(r"(/accounts/(?:verify|invitation|password/reset)/[A-Za-z0-9_-]+/)[0-9a-z]+-[0-9a-f]+"),
        r"\1[redacted]",
    ),
    # An Authorization header as a whole: its scheme and its credentials.
    (
        re.compile(r"(?i)\b((?:proxy-)?authorization[\"']?\s*[=:]\s*[\"']?)(?:[A-Za-z]+\s+)?[^\s,;\"']+"),
        r"\1[redacted]",
    ),
    # The scheme's credentials, wherever they appear: "Bearer abc", "Basic dXNlcjpwYXNz".
    (re.compile(r"(?i)\b(bearer|basic|digest)(\s+)[A-Za-z0-9._~+/=-]+"), r"\1\2[redacted]"),
    # name=value, name: value, "name": "value", 'name': 'value' (a quoted value as a whole).
    (
        re.compile(rf"(?i)\b({_SENSITIVE_NAMES})([\"']?\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^\s&,;\"']+)"),
        r"\1\2[redacted]",
    ),
]


def redact(text: str) -> str:
    for pattern, replacement in SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RequestContextFilter(logging.Filter):
    """Every line of a request carries its id. Django logs a request's 4xx/5xx line
    (`django.request`) after the middleware has returned and the context is gone; such records
    carry the request itself, which carries its id (core.middleware.RequestContextMiddleware)."""

    def filter(self, record):
        context = current_context()
        request_id = context.request_id if context else None
        if request_id is None:
            request_id = getattr(getattr(record, "request", None), "request_id", None)
        record.request_id = request_id
        return True


def _stack(record) -> list[str] | None:
    if not record.exc_info:
        return None
    frames = traceback.extract_tb(record.exc_info[2])
    return [f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in frames]


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": getattr(record, "request_id", None),
        }
        if record.exc_info:
            entry["exception"] = record.exc_info[0].__name__
            entry["stack"] = _stack(record)
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record):
        when = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%d %H:%M:%S")
        line = f"{when} {record.levelname} {record.name} [{getattr(record, 'request_id', None) or '-'}] "
        # One record, one line: a newline in a message cannot forge another log line.
        line += redact(record.getMessage()).replace("\r", "\\r").replace("\n", "\\n")
        if record.exc_info:
            line += f"\n  {record.exc_info[0].__name__} at " + " <- ".join(reversed(_stack(record) or []))
        return line
