import re

from django.core import mail
from django.urls import reverse

LINK = re.compile(r"https?://[^/\s]+(/[^\s\"<]*)")


def links_in(message) -> list[str]:
    """The paths of the links in an e-mail's plain-text body."""
    return LINK.findall(message.body)


def only_link_to(email: str, path_prefix: str) -> str:
    """The one link starting with `path_prefix` e-mailed to `email`."""
    found = [path for m in mail.outbox if email in m.to for path in links_in(m) if path.startswith(path_prefix)]
    assert len(found) == 1, found
    return found[0]


def sign_in(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})
