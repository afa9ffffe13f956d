import pytest

from accounts.models import User
from accounts.services.emails import SUBJECTS, render_account_email


@pytest.mark.parametrize("template", sorted(SUBJECTS))
def test_every_account_email_has_a_text_and_an_html_part(template):
    user = User(email="ada@example.test", full_name="Ada <b>Lovelace</b>")
    message = render_account_email(
        template=template,
        to=user.email,
        context={
            "user": user,
            "link": "https://healthpro.example.org/x/",
            "reset_link": "https://healthpro.example.org/r/",
            "hours": 24,
            "minutes": 60,
            "how": "change",
            "role": None,
            "when": None,
            "ip_address": "203.0.113.1",
            "device": "Firefox on Linux",
        },
    )
    assert message.subject == SUBJECTS[template]
    assert message.body.strip() and "HealthPro" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and html.lstrip().startswith("<!doctype html>")
    assert "<b>Lovelace</b>" not in html, "names are escaped in the HTML part"
    assert "&lt;" not in message.body, "the plain-text part is not HTML-escaped"
