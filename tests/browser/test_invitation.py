"""A staff invitation in a real browser, end to end: the admin's e-mailed link, the set-password
page with its errors, the first sign-in, the forced authenticator enrollment, the code, the
dashboard."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from accounts.roles import Role
from accounts.services.registration import invitation_prepare, invitation_send
from accounts.services.users import user_set_role
from accounts.tests.helpers import only_link_to
from tests.browser.test_mfa import code_for_secret

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_invited_nurse_sets_a_password_enrols_an_authenticator_and_reaches_the_dashboard(
    page, page_problems, server_url, screenshot_dir, sign_in
):
    mail.outbox.clear()
    nurse = User(email="noor.haddad@example.test", full_name="Noor Haddad")
    invitation_prepare(nurse)
    nurse.save()
    user_set_role(actor=None, user=nurse, role=Role.NURSE)
    invitation_send(actor=None, user=nurse, base_url=server_url)

    page.goto(only_link_to(nurse.email, "/accounts/invitation/"))
    expect(page).to_have_url(re.compile(r"/accounts/invitation/[^/]+/set-password/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your HealthPro account")
    expect(page.get_by_text("noor.haddad@example.test")).to_be_visible()

    page.get_by_label("New password", exact=True).fill("noorhaddad12")
    page.get_by_label("New password confirmation").fill("noorhaddad12")
    page.get_by_role("button", name="Set my password").click()
    alert = page.locator("form").get_by_role("alert")
    expect(alert).to_contain_text("There is a problem")
    expect(alert).to_contain_text("too similar to your")
    page.screenshot(path=screenshot_dir / "invitation-errors.png", full_page=True)

    page.get_by_label("New password", exact=True).fill("Cobalt-Heron-Meadow-7")
    page.get_by_label("New password confirmation").fill("Cobalt-Heron-Meadow-7")
    page.get_by_role("button", name="Set my password").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("status")).to_contain_text("Your account is ready.")
    nurse.refresh_from_db()
    assert nurse.is_active and nurse.check_password("Cobalt-Heron-Meadow-7")
    assert page_problems.csp_violations == [] and page_problems.page_errors == []

    sign_in("noor.haddad@example.test", "Cobalt-Heron-Meadow-7")
    expect(page).to_have_url(re.compile(r"/accounts/mfa/setup/"))
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Code from your app").fill(code_for_secret(secret))
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    page.get_by_role("link", name="I have saved them, continue").click()
    expect(page).to_have_url(f"{server_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Noor Haddad")
    assert page_problems.csp_violations == [] and page_problems.page_errors == []
