import os

from django.core.wsgi import get_wsgi_application

from healthpro.startup_checks import static_manifest_check

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthpro.settings")

application = get_wsgi_application()
static_manifest_check()
