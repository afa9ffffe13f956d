"""Consent in a real browser: a patient gives and then withdraws their consent to e-mail
reminders on "My privacy", one click each, and sees the result; no CSP violation."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from compliance.models import ConsentDecision, ConsentPurpose
from records.tests.factories import register_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_patient_gives_and_withdraws_a_consent(page, page_problems, sign_in, make_user, password):
    patient_user = make_user(Role.PATIENT, email="consenting@example.test")
    patient = register_patient(given_name="Casey", family_name="Consentia")
    patient.user = patient_user
    patient.save(update_fields=["user"])

    sign_in("consenting@example.test", password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My privacy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My privacy")
    reminders = page.locator(f'[data-consent="{ConsentPurpose.EMAIL_REMINDERS}"]')
    expect(reminders).to_contain_text("Needs your answer")

    reminders.get_by_role("button", name="Give consent").click()
    expect(page.get_by_role("status")).to_contain_text("Consent given: E-mail appointment reminders.")
    expect(reminders).to_contain_text("Given")

    reminders.get_by_role("button", name="Withdraw consent").click()
    expect(page.get_by_role("status")).to_contain_text("Consent withdrawn: E-mail appointment reminders.")
    expect(reminders).to_contain_text("Withdrawn")
    expect(reminders.get_by_role("button", name="Give consent")).to_be_visible()
    expect(page.locator("main")).to_contain_text("History of consent decisions")

    decisions = ConsentDecision.objects.filter(patient=patient).order_by("id")
    assert [(d.decision, d.channel) for d in decisions] == [("given", "portal"), ("withdrawn", "portal")]
    assert page_problems.csp_violations == []
    assert page_problems.page_errors == []
    assert page_problems.foreign_requests == []
