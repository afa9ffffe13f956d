"""The second factor and the lockout in a real browser."""

import base64
import re

import pytest
from django.conf import settings
from django_otp.oath import TOTP
from playwright.sync_api import expect

from accounts.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_for_secret(secret: str) -> str:
    """What an authenticator app shows for the base32 secret read off the page."""

    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(key).token():06d}"


def test_a_new_staff_member_is_forced_through_enrollment_then_reaches_the_dashboard(
    page, page_problems, server_url, sign_in, make_user, password, screenshot_dir
):
    make_user(Role.NURSE, email="noor.haddad@example.test", full_name="Noor Haddad")

    sign_in("noor.haddad@example.test", password)

    expect(page).to_have_url(re.compile(r"/accounts/mfa/setup/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    qr = page.get_by_role("img", name="QR code to add HealthPro to an authenticator app")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml;base64,")
    page.screenshot(path=screenshot_dir / "mfa-setup.png", full_page=True)
    # Nothing else opens until the authenticator is confirmed.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/mfa/setup/"))

    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Code from your app").fill(code_for_secret(secret))
    page.get_by_role("button", name="Confirm and turn on").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    page.screenshot(path=screenshot_dir / "mfa-recovery-codes.png", full_page=True)
    page.get_by_role("link", name="I have saved them, continue").click()

    expect(page).to_have_url(f"{server_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Noor Haddad")
    assert page_problems.csp_violations == []
    assert page_problems.page_errors == []
    assert page_problems.foreign_requests == []


def test_repeated_wrong_passwords_show_the_lockout_message(page, sign_in, make_user, password, screenshot_dir):
    make_user(Role.PATIENT, email="lee.morgan@example.test")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in("lee.morgan@example.test", "not-the-password-at-all")
        expect(page.locator("form").get_by_role("alert")).to_contain_text(
            "The e-mail address or password is not correct."
        )

    sign_in("lee.morgan@example.test", "not-the-password-at-all")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in is temporarily locked")
    expect(page.get_by_role("alert")).to_contain_text("Sign-in is locked until")
    page.screenshot(path=screenshot_dir / "lockout.png", full_page=True)

    # The right password does not get through while locked.
    sign_in("lee.morgan@example.test", password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in is temporarily locked")
