"""The one-time tokens of e-mailed links stay out of logs and audit rows."""

import logging

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.tests.helpers import only_link_to
from audit.models import AuditEvent
from healthpro.logging import JsonFormatter


@pytest.mark.django_db
@pytest.mark.parametrize(
    "prefix",
    ["/accounts/password/reset/", "/accounts/verify/"],
)
def test_a_refused_link_is_logged_without_its_token(caplog, make_user, prefix):
    if prefix == "/accounts/verify/":
        Client().post(
            reverse("accounts:signup"),
            {
                "full_name": "Lena Link",
                "email": "lena@example.test",
                "password1": "Token-Secrecy-2026",
                "password2": "Token-Secrecy-2026",
            },
        )
        email = "lena@example.test"
    else:
        email = make_user().email
        Client().post(reverse("accounts:password_reset"), {"email": email})
    link = only_link_to(email, prefix)
    token = link.rstrip("/").rsplit("/", 1)[1]
    tampered = link.replace(token, token[:-3] + "abc")

    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert Client().get(tampered).status_code == 400

    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert any("[redacted]" in line for line in lines)
    assert not any(tampered.rsplit("/", 2)[1] in line for line in lines)
    for event in AuditEvent.objects.all():
        assert token not in str(event.details)
    assert mail.outbox
