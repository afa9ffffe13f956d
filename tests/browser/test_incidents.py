"""The incident register in a real browser: a compliance officer opens an incident, assesses it
and sees the 72-hour clock. No CSP violation, no request leaving the server."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.roles import Role
from compliance.models import Incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_compliance_officer_opens_an_incident_assesses_it_and_sees_the_72_hour_clock(
    page, page_problems, sign_in, make_user, password, screenshot_dir
):
    officer = make_user(Role.COMPLIANCE, full_name="Casey Privacy")
    TOTPDevice.objects.create(user=officer, name="browser test", confirmed=True)
    sign_in(officer.email, password)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Incidents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Incident register")
    page.get_by_role("link", name="Open an incident").click()
    page.get_by_label("Title", exact=True).fill("Referral letter e-mailed to the wrong clinic")
    page.get_by_label("Category", exact=True).select_option("misdirected_email")
    page.get_by_label("Detection method").select_option("staff_report")
    page.get_by_label("Clinical records").check()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text("opened")
    incident = Incident.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(incident.number)
    authority = page.locator('tr[data-clock="authority"]')
    expect(authority).to_contain_text("Supervisory authority (GDPR, 72 hours)")
    expect(authority).to_contain_text(re.compile(r"2 days 2\d hours left|3 days left"))

    page.get_by_role("link", name="Assess the risk").click()
    page.get_by_label("Nature and extent of the data").fill("One referral letter: name, date of birth, diagnosis.")
    page.get_by_label("Who used or received the data").fill("Another clinic, bound by confidentiality.")
    page.get_by_label("Acquired or viewed").select_option("viewed")
    page.get_by_label("Extent of mitigation").fill("The clinic confirmed in writing it deleted the e-mail.")
    page.get_by_label("HIPAA outcome").select_option("breach")
    page.get_by_label("GDPR risk").select_option("risk")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text("Risk assessment of incident")
    expect(page.get_by_text("status Assessed")).to_be_visible()
    expect(page.locator('tr[data-clock="authority"]')).to_contain_text("left")
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(page.locator("ol")).to_contain_text("Risk assessed.")
    page.screenshot(path=screenshot_dir / "incident-assessed.png", full_page=True)
    assert page_problems.csp_violations == []
    assert page_problems.page_errors == []
    assert page_problems.foreign_requests == []
