import os

from django.core.asgi import get_asgi_application

from healthpro.startup_checks import static_manifest_check

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthpro.settings")

application = get_asgi_application()
static_manifest_check()
