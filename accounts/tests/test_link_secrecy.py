"""The one-time tokens of e-mailed links stay out of logs and audit rows."""

import logging

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.tests.helpers import LINK, only_link_to, sign_in
from audit.models import AuditEvent
from core.logging import JsonFormatter


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


@pytest.mark.django_db
def test_no_password_or_link_token_of_any_flow_reaches_the_audit_log_or_the_logs(caplog, make_user, password):
    canary_signup, canary_reset, canary_change = "Canary-Signup-9931", "Canary-Reset-9932", "Canary-Change-9933"
    visitor = Client()
    with caplog.at_level(logging.DEBUG):
        visitor.post(
            reverse("accounts:signup"),
            {
                "full_name": "Cy Canary",
                "email": "cy@example.test",
                "password1": canary_signup,
                "password2": canary_signup,
            },
        )
        visitor.post(only_link_to("cy@example.test", "/accounts/verify/"))
        sign_in(visitor, "cy@example.test", canary_signup)
        visitor.post(
            reverse("accounts:password_change"),
            {"old_password": canary_signup, "new_password1": canary_change, "new_password2": canary_change},
        )
        visitor.post(reverse("accounts:logout"))
        visitor.post(reverse("accounts:password_reset"), {"email": "cy@example.test"})
        landing = visitor.get(only_link_to("cy@example.test", "/accounts/password/reset/"))
        visitor.post(landing["Location"], {"new_password1": canary_reset, "new_password2": canary_reset})
        sign_in(visitor, "cy@example.test", "Wrong-Canary-0000")

    tokens = {path.rstrip("/").rsplit("/", 1)[1] for m in mail.outbox for path in LINK.findall(m.body)}
    tokens = {t for t in tokens if "-" in t and len(t) > 20}
    assert len(tokens) == 2, "the verification and the reset link"
    secrets = [canary_signup, canary_reset, canary_change, "Wrong-Canary-0000", *tokens]
    formatter = JsonFormatter()
    log_text = "\n".join(formatter.format(record) for record in caplog.records)
    audit_text = str(list(AuditEvent.objects.values()))
    assert "auth.password_reset" in audit_text and "auth.password_change" in audit_text
    for secret in secrets:
        assert secret not in audit_text
        assert secret not in log_text
