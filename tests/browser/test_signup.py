"""Patient self-registration in a real browser: signup, the e-mailed link, sign-in, dashboard."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.tests.helpers import only_link_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "rosa.delgado@example.test"
PASSWORD = "Juniper-Lantern-2026"


def test_a_patient_signs_up_confirms_the_email_link_and_reaches_the_dashboard(
    page, page_problems, server_url, sign_in, screenshot_dir
):
    mail.outbox.clear()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Create a patient account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a patient account")
    page.get_by_label("Full name").fill("Rosa Delgado")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.screenshot(path=screenshot_dir / "signup.png", full_page=True)
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")

    # Not yet: the account is inactive until the link is opened.
    sign_in(EMAIL, PASSWORD)
    expect(page.locator("form").get_by_role("alert")).to_contain_text("The e-mail address or password is not correct.")

    page.goto(only_link_to(EMAIL, "/accounts/verify/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your e-mail address")
    page.get_by_role("button", name="Confirm my e-mail address").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("status")).to_contain_text("Your e-mail address is confirmed.")

    sign_in(EMAIL, PASSWORD)
    expect(page).to_have_url(f"{server_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Rosa Delgado")
    expect(page.get_by_role("banner")).to_contain_text("Patient")
    page.screenshot(path=screenshot_dir / "signup-dashboard.png", full_page=True)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your account").click()
    page.get_by_role("link", name="Active sessions").click()
    expect(page.get_by_role("table")).to_contain_text("This session")
    page.screenshot(path=screenshot_dir / "sessions.png", full_page=True)

    assert page_problems.csp_violations == []
    assert page_problems.page_errors == []
    assert page_problems.foreign_requests == []
