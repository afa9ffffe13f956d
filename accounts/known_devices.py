"""New-device notice: a sign-in from a (browser family, IP) pair not seen before for that user is
e-mailed to them and recorded. Only a keyed hash of the pair is stored (KnownDevice)."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.devices import browser_family, device_label
from accounts.emails import send_account_email
from accounts.models import KnownDevice, User
from audit.services import record_security_event

logger = logging.getLogger("healthpro.accounts")


def device_pair_hash(*, user: User, user_agent: str, ip_address: str | None) -> str:
    value = f"{user.pk}|{browser_family(user_agent)}|{ip_address or ''}"
    return salted_hmac("healthpro.accounts.KnownDevice", value, algorithm="sha256").hexdigest()


def known_device_check(*, request, user: User) -> bool:
    """Record the sign-in's device; True (and a notice by e-mail) when it is new for this user."""
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:256]
    ip_address = getattr(request, "client_ip", None)
    pair_hash = device_pair_hash(user=user, user_agent=user_agent, ip_address=ip_address)
    now = timezone.now()
    if KnownDevice.objects.filter(user=user, pair_hash=pair_hash).update(last_seen_at=now):
        return False
    try:
        with transaction.atomic():
            KnownDevice.objects.create(user=user, pair_hash=pair_hash, first_seen_at=now, last_seen_at=now)
            label = device_label(user_agent)
            record_security_event(action="auth.new_device", actor=user, target_user=user, details={"device": label})
    except IntegrityError:  # the same new device signed in twice at once: one notice is enough
        return False
    try:
        send_account_email(
            template="new_device",
            to=user.email,
            context={"user": user, "when": now, "ip_address": ip_address or "unknown", "device": label},
        )
    except Exception:
        # A mail server that is down must not stop the sign-in; the audit row is written.
        logger.exception("The new-device notice could not be sent")
    return True
