"""gunicorn's configuration: its own log lines go through the app's logging, in every mode.

Load it with `gunicorn -c python:healthpro.gunicorn_config healthpro.wsgi:application ...`
(deploy/healthpro.service). Without it gunicorn writes its error log with its own formatter: a
worker's traceback with the exception's message, which can quote patient data, and unredacted
request lines. Here gunicorn's loggers hand their records to the root handler of
settings.LOGGING, so core.logging's formatter (JSON in production, redacted, exception type and
stack only) writes them, as it writes Django's. One line escapes: when a worker fails to boot,
gunicorn also print()s the exception's message to stderr. Importing this module loads the settings, so a bad
secret stops gunicorn's master before any worker starts.
"""

import copy
import logging
import os

from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthpro.settings")

# No handler of their own: gunicorn.error and gunicorn.access propagate to the root handler.
GUNICORN_LOGGERS = {
    "gunicorn.error": {"handlers": [], "propagate": True},
    "gunicorn.access": {"handlers": [], "propagate": True, "level": "INFO"},
}


def gunicorn_logconfig(logging_config: dict) -> dict:
    """settings.LOGGING plus gunicorn's loggers. gunicorn replaces each top-level key of its own
    defaults with ours, so the app's loggers are carried over whole."""
    config = copy.deepcopy(logging_config)
    config["loggers"] = {**config.get("loggers", {}), **GUNICORN_LOGGERS}
    return config


logconfig_dict = gunicorn_logconfig(settings.LOGGING)
# Python warnings (whitenoise's "No directory at ...") as log records too, not bare stderr lines.
logging.captureWarnings(True)
