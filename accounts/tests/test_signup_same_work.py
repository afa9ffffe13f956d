"""For signup: the signup page answers a known address as it answers a new
one, after the same work: one password hash, one e-mail built from a text and an HTML template and
sent, and comparable queries (a known address rehearses the account creation and rolls it back).
The API has no signup (accounts/api/urls.py): the page is the only path."""

import re
import secrets
from unittest import mock

import pytest
from django.contrib.auth import hashers
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ActivationKind, User
from accounts.roles import Role
from accounts.services import emails
from accounts.services.users import user_set_active
from audit.models import AuditEvent
from audit.services import Outcome, record_security_event

pytestmark = pytest.mark.django_db

KNOWN_CASES = ("verified patient", "unverified signup", "deactivated account", "staff account")
# A known address runs a few statements more than a new one, never fewer: the failure's audit row
# (its cost measured on this database, where PostgreSQL also locks the chain), and at most two
# more: the rollback of the rehearsal, and for an unverified account the update of its link's time.
OTHER_EXTRA_STATEMENTS = 2


def audit_row_statements() -> int:
    with CaptureQueriesContext(connection) as queries:
        record_security_event(action="test.measure", outcome=Outcome.FAILURE, details={"reason": "measure"})
    return len(queries)


# One e-mail: its text and HTML templates (the name normalised), and the HTML's base.
EMAIL_TEMPLATES = ["emails/<e-mail>.html", "emails/<e-mail>.txt", "emails/base.html"]


def known_address(case, make_user) -> str:
    user = make_user(Role.DOCTOR if case == "staff account" else Role.PATIENT)
    if case == "deactivated account":
        user_set_active(actor=None, user=user, active=False)
    elif case == "unverified signup":
        user.is_active = False
        user.activation_pending = ActivationKind.SIGNUP
        user.save(update_fields=["is_active", "activation_pending"])
    return user.email


def signup_work(email: str, number: int) -> dict:
    """Post the signup form for `email` and count what the request did."""
    password = f"Kx7!{secrets.token_urlsafe(15)}"
    data = {"full_name": "Ada Example", "email": email, "password1": password, "password2": password}
    client = Client(REMOTE_ADDR=f"198.51.100.{number}")
    default_hasher = type(hashers.get_hasher("default"))
    mail.outbox = []
    with (
        mock.patch.object(default_hasher, "encode", autospec=True, side_effect=default_hasher.encode) as encode,
        mock.patch.object(emails, "render_account_email", wraps=emails.render_account_email) as built,
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.post(reverse("accounts:signup"), data)
    statements = [query["sql"].split(None, 1)[0].upper() for query in queries.captured_queries]
    return {
        "answer": (response.status_code, response.get("Location"), response.content),
        "hashes": encode.call_count,
        "templates": sorted(re.sub(r"^emails/(?!base\.)\w+\.", "emails/<e-mail>.", t.name) for t in response.templates),
        "built": built.call_count,
        "sent": len(mail.outbox),
        "queries": len(statements),
        "inserts": statements.count("INSERT"),
        "password_in_mail": any(password in message.body for message in mail.outbox),
    }


@pytest.mark.parametrize("case", KNOWN_CASES)
def test_signup_does_the_same_work_for_a_known_and_a_new_address(case, make_user):
    known = known_address(case, make_user)
    users_before = User.objects.count()
    new = signup_work(f"new-{secrets.token_hex(4)}@example.test", 1)
    known_work = signup_work(known, 2)
    assert User.objects.count() == users_before + 1, "the rehearsal keeps no account"

    assert known_work["answer"] == new["answer"]
    assert new["answer"][0] == 302
    assert known_work["hashes"] == new["hashes"] == 1
    assert known_work["templates"] == new["templates"] == EMAIL_TEMPLATES
    assert known_work["built"] == new["built"] == 1
    assert known_work["sent"] == new["sent"] == 1
    extra = known_work["queries"] - new["queries"]
    assert 0 <= extra <= audit_row_statements() + OTHER_EXTRA_STATEMENTS, (known_work["queries"], new["queries"])
    assert known_work["inserts"] >= new["inserts"]
    assert not known_work["password_in_mail"] and not new["password_in_mail"]


def test_the_rehearsal_leaves_no_row_and_the_known_address_gets_its_notice(make_user):
    user = make_user(Role.PATIENT)
    audit_before = AuditEvent.objects.count()
    work = signup_work(user.email, 3)
    assert work["sent"] == 1
    assert not User.objects.filter(email__endswith="@signup-rehearsal.invalid").exists()
    events = list(AuditEvent.objects.order_by("pk")[audit_before:].values_list("action", "outcome", "target_user_id"))
    assert events == [("account.signup", Outcome.FAILURE, user.pk)]
