"""New-device notice: a sign-in from a new (browser family, IP) pair is e-mailed and recorded;
a known pair is not; only a keyed hash of the pair is stored."""

import pytest
from django.core import mail
from django.test import Client

from accounts.models import KnownDevice
from accounts.services.devices import device_label
from accounts.tests.helpers import sign_in
from audit.models import AuditEvent

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
FIREFOX_NEWER = "Mozilla/5.0 (X11; Linux x86_64; rv:134.0) Gecko/20100101 Firefox/134.0"
EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
    "Safari/537.36 Edg/131.0.0.0"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


def login_from(user, password, user_agent, ip):
    mail.outbox.clear()
    sign_in(Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip), user.email, password)
    return [m for m in mail.outbox if "signed in from a browser or network we had not seen" in m.body]


@pytest.mark.django_db
def test_a_new_browser_and_ip_pair_is_emailed_with_time_ip_and_device_and_recorded(make_user, password):
    user = make_user()
    [notice] = login_from(user, password, FIREFOX, "203.0.113.50")
    assert notice.to == [user.email]
    assert "203.0.113.50" in notice.body and "Firefox on Linux" in notice.body and "UTC" in notice.body
    event = AuditEvent.objects.get(action="auth.new_device", target_user_id=user.pk)
    assert event.details == {"device": "Firefox on Linux"}
    assert event.client_ip == "203.0.113.50"


@pytest.mark.django_db
def test_the_same_browser_family_and_ip_again_sends_nothing(make_user, password):
    user = make_user()
    login_from(user, password, FIREFOX, "203.0.113.50")
    assert login_from(user, password, FIREFOX_NEWER, "203.0.113.50") == [], "a browser update is the same device"
    assert AuditEvent.objects.filter(action="auth.new_device").count() == 1


@pytest.mark.django_db
def test_a_new_ip_or_a_new_browser_is_noticed(make_user, password):
    user = make_user()
    login_from(user, password, FIREFOX, "203.0.113.50")
    assert len(login_from(user, password, FIREFOX, "198.51.100.9")) == 1
    assert len(login_from(user, password, EDGE, "198.51.100.9")) == 1


@pytest.mark.django_db
def test_another_users_known_device_does_not_count(make_user, password):
    first, second = make_user(), make_user()
    login_from(first, password, FIREFOX, "203.0.113.50")
    assert len(login_from(second, password, FIREFOX, "203.0.113.50")) == 1


@pytest.mark.django_db
def test_only_a_hash_of_the_pair_is_stored(make_user, password):
    user = make_user()
    login_from(user, password, FIREFOX, "203.0.113.50")
    stored = str(list(KnownDevice.objects.values()))
    assert "203.0.113.50" not in stored and "Firefox" not in stored


@pytest.mark.django_db
def test_a_failed_login_records_no_device(make_user):
    user = make_user()
    assert login_from(user, "Wrong-password-000", FIREFOX, "203.0.113.50") == []
    assert not KnownDevice.objects.exists()


@pytest.mark.parametrize(
    ("user_agent", "label"),
    [
        (FIREFOX, "Firefox on Linux"),
        (EDGE, "Edge on Windows"),
        (SAFARI_IPHONE, "Safari on iOS"),
        ("", "Unknown browser on unknown system"),
    ],
)
def test_device_labels(user_agent, label):
    assert device_label(user_agent) == label
