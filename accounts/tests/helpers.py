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


def force_verified_login(client, user):
    """force_login plus a completed second factor (a confirmed TOTP device), as staff pages need."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get_or_create(user=user, name="test authenticator", defaults={"confirmed": True})[0]
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
