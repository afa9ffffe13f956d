"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live_server.

- One Chromium for all of tests/browser: the `browser` fixture has package scope, so it starts
  with the first browser test and closes after the last one. (Session scope would keep
  Playwright's event loop running in the main thread for every test collected after it, where
  Django's ORM and asgiref's async_to_sync would see it.)
- Each test gets a fresh browser context (no cookies, no storage) and a page on it.
- No browser is downloaded: Playwright launches /usr/bin/chromium (HEALTHPRO_CHROMIUM overrides).
- Playwright's sync API runs an asyncio loop in this thread; Django refuses ORM calls while a loop
  runs unless DJANGO_ALLOW_ASYNC_UNSAFE is set. It is set only while the browser is open.
- Cookies: the test settings are the production ones (DEBUG off, `__Host-sessionid` and
  `__Host-csrftoken`, both Secure) over plain HTTP. live_server listens on `localhost`
  (pytest-django's default; `--liveserver 127.0.0.1` works too): Chromium treats loopback as a
  secure context and stores and sends Secure and `__Host-` cookies there. Nothing is overridden
  for the browser.
- HEALTHPRO_SCREENSHOTS=/some/dir keeps the screenshots the tests take; otherwise they go to a
  pytest temporary directory.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import sync_playwright

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
CHROMIUM = os.environ.get("HEALTHPRO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 10_000

# Runs in every document before the page's own scripts (injected by the browser, so the page's
# CSP does not apply to it) and reports each CSP violation to Python.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.healthproReportCspViolation(
    [event.effectiveDirective, event.blockedURI || "inline", event.documentURI].join(" ")
  );
});
"""


@dataclass
class PageProblems:
    """What went wrong in the page while a test drove it."""

    csp_violations: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="package")
def browser():
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def server_url(live_server):
    """The live server's address, http://localhost:<port> (see the module docstring on cookies)."""
    host = urlsplit(live_server.url).hostname
    assert host in LOOPBACK_HOSTS, f"{live_server.url}: Chromium sends Secure cookies over HTTP to loopback only"
    return live_server.url


@pytest.fixture
def context(browser, server_url):
    browser_context = browser.new_context(
        base_url=server_url,
        viewport={"width": 1280, "height": 800},
        locale="en-US",
        timezone_id="UTC",
    )
    browser_context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield browser_context
    finally:
        browser_context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def page_problems(page, context, server_url) -> PageProblems:
    """Start recording CSP violations, console errors, uncaught errors and requests that leave
    the live server. Request it before the first navigation."""
    problems = PageProblems()

    def report_csp_violation(description: str) -> None:
        problems.csp_violations.append(description)

    def record_console_message(message) -> None:
        if message.type == "error":
            problems.console_errors.append(message.text)

    def record_request(request) -> None:
        if not (request.url.startswith(server_url + "/") or request.url.startswith("data:")):
            problems.foreign_requests.append(request.url)

    context.expose_function("healthproReportCspViolation", report_csp_violation)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page.on("console", record_console_message)
    page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
    page.on("request", record_request)
    return problems


@pytest.fixture
def screenshot_dir(tmp_path_factory) -> Path:
    configured = os.environ.get("HEALTHPRO_SCREENSHOTS")
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")


def current_totp_code(device) -> str:
    """What the user's authenticator app shows now (django-otp's own TOTP helper)."""

    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def sign_in(page):
    """Sign in through the login page, as a person would; when the code step follows (an account
    with a confirmed authenticator), enter the authenticator's current code."""

    def sign_in_as(email: str, password: str):
        page.goto("/accounts/login/")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        if "/accounts/mfa/verify/" in page.url:
            device = TOTPDevice.objects.get(user__email=email, confirmed=True)
            page.get_by_label("Authentication code").fill(current_totp_code(device))
            page.get_by_role("button", name="Verify").click()
            page.wait_for_load_state()

    return sign_in_as


@pytest.fixture
def make_staff_user(make_user):
    """A staff user who has already set up an authenticator (confirmed TOTP device)."""

    def make(role, **kwargs):
        user = make_user(role, **kwargs)
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
        return user

    return make
