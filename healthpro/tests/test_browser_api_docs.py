"""Swagger UI in a real browser (Debian's Chromium through Playwright) under the strict CSP."""

import pytest
from django.test import override_settings
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser.new_page()
        finally:
            browser.close()


@override_settings(API_DOCS_PUBLIC=True)
def test_swagger_ui_renders_without_a_csp_violation(live_server, browser_page):
    problems = []
    browser_page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    browser_page.on("pageerror", lambda error: problems.append(str(error)))
    external = []
    browser_page.on(
        "request", lambda request: None if request.url.startswith(live_server.url) else external.append(request.url)
    )

    response = browser_page.goto(f"{live_server.url}/api/v1/docs/")
    assert response.status == 200
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    browser_page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "HealthPro API" in browser_page.inner_text(".swagger-ui .info .title")
    browser_page.wait_for_selector("text=/api/v1/health/", timeout=15000)
    assert problems == []
    assert external == []
