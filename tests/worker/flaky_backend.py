"""An e-mail backend for the worker tests: Django's file backend, failing the first N sends.

N is read from the file HEALTHPRO_TEST_EMAIL_FAILURES names (absent or 0: no failure) and
counted down there, so that the test process sets it and the worker process spends it."""

import os
import smtplib
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


class FlakyEmailBackend(EmailBackend):
    def send_messages(self, email_messages):
        budget = Path(os.environ["HEALTHPRO_TEST_EMAIL_FAILURES"])
        failures = int(budget.read_text() or 0) if budget.exists() else 0
        if failures > 0:
            budget.write_text(str(failures - 1))
            raise smtplib.SMTPServerDisconnected("the test's mail server hung up")
        return super().send_messages(email_messages)
