"""The page shell in a real browser: sign in and out, a wrong password, the CSP, the keyboard."""

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SESSION_COOKIE = "__Host-sessionid"


def cookie_names(context) -> set[str]:
    return {cookie["name"] for cookie in context.cookies()}


def test_a_user_signs_in_sees_their_dashboard_and_signs_out(
    page, context, server_url, sign_in, make_staff_user, password, screenshot_dir
):
    make_staff_user(Role.DOCTOR, email="dana.whitfield@example.test", full_name="Dana Whitfield")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.screenshot(path=screenshot_dir / "login.png", full_page=True)

    sign_in("dana.whitfield@example.test", password)

    expect(page).to_have_url(f"{server_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Dana Whitfield")
    header = page.get_by_role("banner")
    expect(header).to_contain_text("Dana Whitfield")
    expect(header).to_contain_text("Doctor")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard")).to_have_attribute(
        "aria-current", "page"
    )
    session = next(cookie for cookie in context.cookies() if cookie["name"] == SESSION_COOKIE)
    assert session["secure"] and session["httpOnly"] and session["sameSite"] == "Lax"
    page.screenshot(path=screenshot_dir / "dashboard.png", full_page=True)

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("status")).to_have_text("You have signed out of HealthPro.")
    assert SESSION_COOKIE not in cookie_names(context)
    page.screenshot(path=screenshot_dir / "signed-out.png", full_page=True)
    # The old session is gone: the dashboard asks to sign in again.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("status")).to_have_count(0)


def test_a_wrong_password_shows_an_error_in_the_form_and_opens_no_session(
    page, context, sign_in, make_user, screenshot_dir
):
    make_user(Role.NURSE, email="sam.okafor@example.test")

    sign_in("sam.okafor@example.test", "not-the-password-at-all")

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    alert = page.locator("form").get_by_role("alert")
    expect(alert).to_contain_text("There is a problem")
    expect(alert).to_contain_text("The e-mail address or password is not correct.")
    expect(page.get_by_label("E-mail address")).to_have_value("sam.okafor@example.test")
    expect(page.get_by_label("Password")).to_have_value("")
    assert SESSION_COOKIE not in cookie_names(context)
    page.screenshot(path=screenshot_dir / "login-error.png", full_page=True)

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))


def test_pages_keep_to_the_content_security_policy(page, page_problems, sign_in, make_staff_user, password):
    user = make_staff_user(Role.ADMIN)

    responses = [page.goto("/accounts/login/")]
    sign_in(user.email, password)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    responses.append(page.goto("/"))
    responses.append(page.goto("/no-such-page/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")

    assert [response.status for response in responses] == [200, 200, 404]
    for response in responses:
        policy = response.headers["content-security-policy"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert page_problems.csp_violations == []
    assert page_problems.page_errors == []
    assert page_problems.foreign_requests == []
    # Chromium reports the 404 document itself as a failed resource; nothing else may fail.
    assert page_problems.console_errors == [
        "Failed to load resource: the server responded with a status of 404 (Not Found)"
    ]


def test_the_csp_watch_does_see_a_violation(page, page_problems):
    """The control for the test above: an inline style attribute is refused, and reported."""
    page.goto("/accounts/login/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">inline</p>')")
    for _ in range(50):
        if page_problems.csp_violations:
            break
        page.wait_for_timeout(20)
    assert any(violation.startswith("style-src") for violation in page_problems.csp_violations)


def assert_skip_link_comes_first_and_leads_to_main(page):
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    box = skip_link.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 10, "the focused skip link is on screen"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_the_skip_link_comes_first_and_moves_focus_to_the_content(page, sign_in, make_staff_user, password):
    user = make_staff_user(Role.RECEPTIONIST)

    page.goto("/accounts/login/")
    assert_skip_link_comes_first_and_leads_to_main(page)
    page.keyboard.press("Tab")
    expect(page.get_by_label("E-mail address")).to_be_focused()

    sign_in(user.email, password)
    assert_skip_link_comes_first_and_leads_to_main(page)
    page.keyboard.press("Tab")
    # The first link of the dashboard's "Go to" list (records added "Patients" before "API docs").
    expect(page.get_by_role("link", name="Patients").last).to_be_focused()
    # Keyboard focus is visible.
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
