"""Data-subject requests in a real browser: a patient opens requests in the portal, a compliance
officer works one from the queue to completion (verify the identity, assign, complete). No CSP
violation, no page error, nothing fetched from elsewhere."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.roles import Role
from compliance.models import DataSubjectRequest
from compliance.services.requests import request_open
from records.tests.factories import register_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_clean(problems):
    assert problems.csp_violations == []
    assert problems.page_errors == []
    assert problems.foreign_requests == []


def patient_account(make_user, **names):
    account = make_user(Role.PATIENT)
    patient = register_patient(**names)
    patient.user = account
    patient.save(update_fields=["user"])
    return patient, account


def test_a_patient_opens_a_request_and_asks_for_a_correction_in_the_portal(
    page, page_problems, sign_in, make_user, password, screenshot_dir
):
    patient, account = patient_account(make_user, family_name="Portalova", given_name="Kim")
    sign_in(account.email, password)

    page.goto("/portal/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My privacy").click()
    page.get_by_role("link", name="Make a request").click()
    page.get_by_label("Erasure of my data").check()
    page.get_by_label("Anything we should know").fill("I moved abroad.")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"Request DSR-\d{6} received"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Request DSR-")
    expect(page.locator("body")).to_contain_text("Received")

    page.get_by_role("link", name="All my requests").click()
    page.get_by_role("link", name="Ask for a correction of my details").click()
    page.get_by_label("Family name").fill("Portalova-Smith")
    page.get_by_role("button", name="Send the correction request").click()
    expect(page.get_by_role("status")).to_contain_text("Correction request")
    expect(page.locator("body")).to_contain_text("Portalova-Smith")
    page.screenshot(path=screenshot_dir / "portal-correction-request.png", full_page=True)

    assert sorted(DataSubjectRequest.objects.values_list("kind", flat=True)) == ["erasure", "rectification"]
    patient.refresh_from_db()
    assert patient.family_name == "Portalova"
    assert_clean(page_problems)


def test_a_compliance_officer_works_a_request_from_the_queue_to_completion(
    page, page_problems, sign_in, make_user, password, screenshot_dir
):
    _, account = patient_account(make_user, family_name="Queueton", given_name="Sam")
    request = request_open(actor=account, kind="access")
    officer = make_user(Role.COMPLIANCE, full_name="Olive Officer")
    TOTPDevice.objects.create(user=officer, name="browser test", confirmed=True)
    sign_in(officer.email, password)
    assert "/accounts/mfa/" not in page.url

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Privacy requests").click()
    page.get_by_role("link", name=request.number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Request {request.number}")
    expect(page.locator("body")).to_contain_text("Queueton")

    page.get_by_label("How the identity was verified").select_option("portal_sign_in_mfa")
    page.get_by_role("button", name="Record the identity check").click()
    expect(page.get_by_role("status")).to_contain_text("Identity verified.")

    page.get_by_label("Assign to").select_option(label="Olive Officer")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status")).to_contain_text("Request assigned.")

    page.get_by_role("button", name=f"Complete request {request.number}").click()
    expect(page.get_by_role("status")).to_contain_text("Request completed.")
    expect(page.locator(".page-header__lead")).to_contain_text("Completed")
    page.screenshot(path=screenshot_dir / "compliance-request-completed.png", full_page=True)

    request.refresh_from_db()
    assert (request.status, request.assignee) == ("completed", officer)
    assert list(request.events.values_list("action", flat=True)) == [
        "opened",
        "identity_verified",
        "assigned",
        "completed",
    ]
    assert_clean(page_problems)
