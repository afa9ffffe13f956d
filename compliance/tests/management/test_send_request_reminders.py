import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from freezegun import freeze_time

from compliance.services import requests as services
from compliance.tests.factories import verified_request

pytestmark = pytest.mark.django_db


def test_the_command_sends_each_due_reminder_once(subject, officer, other_officer, django_capture_on_commit_callbacks):
    request = verified_request(subject[1], officer, kind="access")
    services.request_assign(actor=officer, request_id=request.pk, assignee=other_officer)
    out = StringIO()

    with freeze_time(request.due_on - datetime.timedelta(days=2)):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_request_reminders", stdout=out)
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_request_reminders", stdout=out)

    assert out.getvalue().splitlines() == ["1 reminder(s) sent.", "0 reminder(s) sent."]
    assert [message.to for message in mail.outbox] == [[other_officer.email]]


def test_the_window_is_an_option(subject, officer, other_officer):
    request = verified_request(subject[1], officer, kind="access")
    services.request_assign(actor=officer, request_id=request.pk, assignee=other_officer)
    out = StringIO()
    with freeze_time(request.due_on - datetime.timedelta(days=10)):
        call_command("send_request_reminders", "--days-before", "3", stdout=out)
        call_command("send_request_reminders", "--days-before", "14", stdout=out)
    assert out.getvalue().splitlines() == ["0 reminder(s) sent.", "1 reminder(s) sent."]
