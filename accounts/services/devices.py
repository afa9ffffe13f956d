"""Sign-in devices: a short, human label for a browser ("Firefox on Windows") from its User-Agent,
without a parsing library (enough for a session list and a new-device notice, not for analytics),
and the new-device notice: a sign-in from a (browser family, IP) pair not seen before for that
user is e-mailed to them and recorded. Only a keyed hash of the pair is stored (KnownDevice)."""

import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import KnownDevice, User
from accounts.services.emails import email_queue
from audit.services import record_security_event

_BROWSERS = [
    ("Edge", re.compile(r"Edg(e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/|HeadlessChrome/|Chromium/")),
    ("Safari", re.compile(r"Safari/")),
    ("curl", re.compile(r"^curl/")),
    ("Python", re.compile(r"python-requests|python-urllib|Python/", re.IGNORECASE)),
]
_SYSTEMS = [
    ("Android", re.compile(r"Android")),
    ("iOS", re.compile(r"iPhone|iPad|iPod")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Macintosh|Mac OS X")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Linux", re.compile(r"Linux|X11")),
]


def browser_family(user_agent: str) -> str:
    return next((name for name, pattern in _BROWSERS if pattern.search(user_agent or "")), "Unknown browser")


def operating_system(user_agent: str) -> str:
    return next((name for name, pattern in _SYSTEMS if pattern.search(user_agent or "")), "unknown system")


def device_label(user_agent: str) -> str:
    return f"{browser_family(user_agent)} on {operating_system(user_agent)}"


def device_pair_hash(*, user: User, user_agent: str, ip_address: str | None, secret: str | None = None) -> str:
    """The keyed hash of the pair, under SECRET_KEY (or the given earlier key)."""
    value = f"{user.pk}|{browser_family(user_agent)}|{ip_address or ''}"
    return salted_hmac("healthpro.accounts.KnownDevice", value, secret=secret, algorithm="sha256").hexdigest()


def known_device_check(*, request, user: User) -> bool:
    """Record the sign-in's device; True (and a notice by e-mail) when it is new for this user.

    A device recorded under one of SECRET_KEY_FALLBACKS is known too: its row is moved to the hash
    under SECRET_KEY, so that removing the fallback later forgets no device seen meanwhile."""
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:256]
    ip_address = getattr(request, "client_ip", None)
    pair_hash = device_pair_hash(user=user, user_agent=user_agent, ip_address=ip_address)
    now = timezone.now()
    if KnownDevice.objects.filter(user=user, pair_hash=pair_hash).update(last_seen_at=now):
        return False
    earlier_hashes = [
        device_pair_hash(user=user, user_agent=user_agent, ip_address=ip_address, secret=secret)
        for secret in settings.SECRET_KEY_FALLBACKS
    ]
    if earlier_hashes and _known_device_rehash(user=user, earlier_hashes=earlier_hashes, pair_hash=pair_hash, now=now):
        return False
    try:
        with transaction.atomic():
            KnownDevice.objects.create(user=user, pair_hash=pair_hash, first_seen_at=now, last_seen_at=now)
            label = device_label(user_agent)
            record_security_event(action="auth.new_device", actor=user, target_user=user, details={"device": label})
            # Sent after commit, outside the sign-in: a mail server that is down cannot stop it.
            email_queue(
                template="new_device",
                recipient=user,
                context={"when": now.isoformat(), "ip_address": ip_address or "unknown", "device": label},
            )
    except IntegrityError:  # the same new device signed in twice at once: one notice is enough
        return False
    return True


def _known_device_rehash(*, user: User, earlier_hashes: list[str], pair_hash: str, now) -> bool:
    try:
        with transaction.atomic():
            moved = KnownDevice.objects.filter(user=user, pair_hash__in=earlier_hashes).update(
                pair_hash=pair_hash, last_seen_at=now
            )
    except IntegrityError:  # a parallel sign-in of the same device recorded it under the current key
        return True
    return moved > 0
