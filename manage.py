#!/usr/bin/env python
import os
import sys

from django.conf import settings
from django.core.management import execute_from_command_line

# Commands that run before any secret exists (on a new server), where the project's settings would
# refuse to load: they get Django's defaults and the roof app that holds them, nothing else.
COMMANDS_WITHOUT_SETTINGS = {"generate_secrets"}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthpro.settings")
    if sys.argv[1:2] and sys.argv[1] in COMMANDS_WITHOUT_SETTINGS:
        settings.configure(INSTALLED_APPS=["healthpro"])
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
