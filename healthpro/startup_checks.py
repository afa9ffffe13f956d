"""Checks run when a server process loads the app (healthpro.wsgi, healthpro.asgi).

Management commands do not run them: `collectstatic` must work before its manifest exists.
"""

import logging

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger("healthpro.startup")


def static_manifest_check() -> None:
    """Refuse to serve when the static files' manifest is missing.

    With DEBUG off, static files are stored by whitenoise's CompressedManifestStaticFilesStorage,
    whose `{% static %}` raises for a file the manifest does not list: without `collectstatic`
    every page would answer 500 while the health check says 200. The message is logged as well as
    raised because the app's log formatter never writes an exception's message (core.logging).
    """
    if not isinstance(staticfiles_storage, ManifestFilesMixin) or staticfiles_storage.read_manifest() is not None:
        return
    message = (
        f"The static files manifest ({settings.STATIC_ROOT}/{staticfiles_storage.manifest_name}) is missing: "
        "run `python manage.py collectstatic --noinput` with the same settings before starting the server."
    )
    logger.critical("Refusing to start. %s", message)
    raise ImproperlyConfigured(message)
