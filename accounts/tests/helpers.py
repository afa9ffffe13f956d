import re

from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

LINK = re.compile(r"https?://[^/\s]+(/[^\s\"<]*)")
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def browser(user_agent=FIREFOX, ip="203.0.113.10"):
    """A test browser with its own User-Agent and address."""
    return Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)


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


def force_verified_login(client, user):
    """force_login plus a completed second factor (a confirmed TOTP device), as staff pages need."""
    device = TOTPDevice.objects.get_or_create(user=user, name="test authenticator", defaults={"confirmed": True})[0]
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
