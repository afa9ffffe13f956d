"""The page shell, server side: every page keeps to the strict CSP (no inline script or style),
error pages say nothing of the cause, forms are accessible, payloads are inert, CSRF holds.

This module is also a test-only URLconf (used with `pytest.mark.urls(__name__)`): the project's
URLs and error handlers plus a few views that fail on purpose.
"""

import re
from html.parser import HTMLParser

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError, connection
from django.template.loader import render_to_string
from django.test import Client
from django.urls import path, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import Role
from accounts.views.sign_in import SIGNED_OUT_MESSAGE
from healthpro.urls import handler400, handler403, handler404, handler500  # noqa: F401
from healthpro.urls import urlpatterns as project_urlpatterns

CANARY = "cause-canary-51c3 jane.roe@example.test"
SCRIPT_PAYLOAD = '"><script>alert("pwned")</script><img src=x onerror=alert(1)>'


def raises_runtime_error(request):
    raise RuntimeError(CANARY)


def raises_permission_denied(request):
    raise PermissionDenied(CANARY)


def raises_suspicious_operation(request):
    raise SuspiciousOperation(CANARY)


def queries_a_broken_database(request):
    User.objects.count()
    raise AssertionError("the database was supposed to be down")


urlpatterns = [
    path("_test/pages/boom/", raises_runtime_error),
    path("_test/pages/denied/", raises_permission_denied),
    path("_test/pages/bad/", raises_suspicious_operation),
    path("_test/pages/db-down/", queries_a_broken_database),
    *project_urlpatterns,
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


# Helpers


class InlineCodeFinder(HTMLParser):
    """Everything a strict CSP (no 'unsafe-inline') would refuse, and javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self.problems.append("<script> without src")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if re.fullmatch(r"on\w+", name):
                self.problems.append(f"{name} handler on <{tag}>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL on <{tag}>")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


class ElementFinder(HTMLParser):
    """Start tags with their attributes, in document order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html: str, tag: str | None = None, **wanted: str) -> list[dict[str, str | None]]:
    finder = ElementFinder()
    finder.feed(html)
    return [
        attributes
        for name, attributes in finder.elements
        if (tag is None or name == tag) and all(attributes.get(key) == value for key, value in wanted.items())
    ]


def text_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def error_client():
    """Answers exceptions with the error handlers, as production does, instead of raising them."""
    return Client(raise_request_exception=False)


@pytest.fixture
def signed_in(make_user):
    """A client signed in as a new user of `role`, second factor done (as staff pages will require)."""

    def sign_in(role, client=None, **user_fields):
        client = client or Client(raise_request_exception=False)
        user = make_user(role, **user_fields)
        device = TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        client.user = user
        return client

    return sign_in


# Every page: no inline code


def _login(client, signed_in):
    return client.get(reverse("accounts:login"))


def _login_with_errors(client, signed_in):
    return client.post(reverse("accounts:login"), {"username": "", "password": ""})


def _login_wrong_password(client, signed_in):
    return client.post(reverse("accounts:login"), {"username": "nobody@example.test", "password": "wrong-password"})


def _signed_out(client, signed_in):
    client = signed_in(Role.PATIENT)
    return client.post(reverse("accounts:logout"), follow=True)


def _dashboard(role):
    def get(client, signed_in):
        return signed_in(role).get(reverse("dashboard"))

    return get


def _not_found(client, signed_in):
    return client.get("/no-such-page/")


def _not_found_signed_in(client, signed_in):
    return signed_in(Role.DOCTOR).get("/no-such-page/")


def _bad_request(client, signed_in):
    return client.get("/_test/pages/bad/")


def _forbidden(client, signed_in):
    return signed_in(Role.NURSE).get("/_test/pages/denied/")


def _csrf_failure(client, signed_in):
    return Client(enforce_csrf_checks=True).post(reverse("accounts:login"), {"username": "a@example.test"})


def _server_error(client, signed_in):
    return signed_in(Role.RECEPTIONIST).get("/_test/pages/boom/")


PAGES = {
    "login": (_login, 200),
    "login with field errors": (_login_with_errors, 200),
    "login with a wrong password": (_login_wrong_password, 200),
    "signed out": (_signed_out, 200),
    **{f"dashboard as {role.value}": (_dashboard(role), 200) for role in Role},
    "dashboard without a role": (_dashboard(None), 200),
    "400": (_bad_request, 400),
    "403": (_forbidden, 403),
    "403 csrf": (_csrf_failure, 403),
    "404": (_not_found, 404),
    "404 signed in": (_not_found_signed_in, 404),
    "500": (_server_error, 500),
}


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_page_has_no_inline_script_or_style(error_client, signed_in, page):
    get_page, status = page
    response = get_page(error_client, signed_in)
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = text_of(response)
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert inline_code(html) == []
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    # Every page has the skip link first and a main landmark to skip to.
    assert elements(html, "a")[0] == {"class": "skip-link", "href": "#main"}
    assert len(elements(html, "main", id="main")) == 1


def test_the_inline_code_finder_finds_inline_code():
    html = (
        '<script>alert(1)</script><script src="/static/js/x.js"></script><style>p{}</style>'
        '<p style="color:red" onclick="x()"></p><img src=x onerror=y><a href=" JavaScript:alert(1)">x</a>'
    )
    assert inline_code(html) == [
        "<script> without src",
        "<style> element",
        "style attribute on <p>",
        "onclick handler on <p>",
        "onerror handler on <img>",
        "javascript: URL on <a>",
    ]


# Error pages say nothing


def test_404_page_does_not_echo_the_requested_path(error_client):
    response = error_client.get("/patients/jane-roe-canary-8812/<script>alert(1)</script>/")
    html = text_of(response)
    assert response.status_code == 404
    assert "Page not found" in html
    for leak in ("jane-roe-canary-8812", "patients/", "alert(1)", "&lt;script"):
        assert leak not in html


@pytest.mark.parametrize("path", ["/_test/pages/denied/", "/_test/pages/bad/"])
def test_400_and_403_pages_do_not_show_the_exception_text(error_client, path):
    response = error_client.get(path)
    assert response.status_code in (400, 403)
    assert "cause-canary" not in text_of(response)
    assert "jane.roe" not in text_of(response)


def test_error_pages_offer_a_way_back(error_client, signed_in):
    anonymous = text_of(error_client.get("/no-such-page/"))
    assert elements(anonymous, "a", href=reverse("accounts:login"))
    member = text_of(signed_in(Role.PATIENT).get("/no-such-page/"))
    assert elements(member, "a", href=reverse("dashboard"))


def test_500_page_shows_the_request_id_and_nothing_of_the_cause(signed_in):
    client = signed_in(Role.DOCTOR, full_name="Dr Canary Whitlock")
    response = client.get("/_test/pages/boom/")
    html = text_of(response)
    assert response.status_code == 500
    assert "Something went wrong" in html
    request_id = response["X-Request-ID"]
    assert len(request_id) >= 16
    assert f'<code class="reference__code">{request_id}</code>' in html
    for leak in ("cause-canary", "jane.roe", "RuntimeError", "Traceback", "raises_runtime_error", "_test/pages"):
        assert leak not in html
    # Standalone: no user, no navigation, no session-dependent parts.
    for part in ("Dr Canary Whitlock", client.user.email, "Sign out", "Doctor"):
        assert part not in html
    assert elements(html, "a", href=reverse("dashboard"))


def test_503_page_renders_when_the_database_is_down(signed_in):
    """The view fails on the database and so would anything else that touched it: the error page
    must still be the real one (not the bare fallback), with its reference, and say 503: the
    database is down, not the application broken (core.outages)."""
    client = signed_in(Role.NURSE)

    def database_down(execute, sql, params, many, context):
        raise OperationalError("database is down")

    with connection.execute_wrapper(database_down):
        response = client.get("/_test/pages/db-down/")

    html = text_of(response)
    assert response.status_code == 503
    assert "temporarily unavailable" in html
    assert response["X-Request-ID"] in html
    assert "database is down" not in html
    assert inline_code(html) == []


def test_500_template_renders_without_a_request():
    html = render_to_string("errors/500.html", {"request_id": "0123456789abcdef"})
    assert "0123456789abcdef" in html
    assert inline_code(html) == []
    html_without_id = render_to_string("errors/500.html", {})
    assert "reference" not in html_without_id


def test_csrf_failure_is_the_friendly_403_page_and_signs_nobody_in(make_user, password):
    user = make_user(Role.PATIENT)
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": password})
    html = text_of(response)
    assert response.status_code == 403
    assert "This form has expired" in html
    assert "CSRF" not in html and "csrf" not in html.replace("csrfmiddlewaretoken", "")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("dashboard")).status_code == 302


def test_login_post_with_a_valid_csrf_token_works(make_user, password):
    user = make_user(Role.PATIENT)
    client = Client(enforce_csrf_checks=True)
    login_page = client.get(reverse("accounts:login"))
    token = elements(text_of(login_page), "input", name="csrfmiddlewaretoken")[0]["value"]
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": password, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


# Payloads are inert


def test_a_script_payload_in_the_login_email_is_escaped_on_redisplay(client):
    response = client.post(reverse("accounts:login"), {"username": SCRIPT_PAYLOAD, "password": "x"})
    html = text_of(response)
    assert response.status_code == 200
    assert "<script>alert" not in html
    assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
    assert inline_code(html) == []
    email_input = elements(html, "input", name="username")[0]
    assert email_input["value"] == SCRIPT_PAYLOAD  # shown back as text, not as markup
    assert "&lt;script&gt;" in html


def test_a_script_payload_in_the_users_name_is_escaped_in_the_header_and_dashboard(signed_in):
    client = signed_in(Role.PATIENT, full_name=SCRIPT_PAYLOAD)
    html = text_of(client.get(reverse("dashboard")))
    assert "<script>alert" not in html
    assert inline_code(html) == []
    assert html.count("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;") == 2  # header and greeting


def test_an_offsite_next_is_not_echoed_into_the_login_form(client):
    html = text_of(client.get(reverse("accounts:login"), {"next": "https://evil.example/phish"}))
    assert "evil.example" not in html
    html = text_of(client.get(reverse("accounts:login"), {"next": "/admin/"}))
    assert elements(html, "input", type="hidden", name="next", value="/admin/")


# Accessible forms


def test_field_errors_sit_next_to_their_field_and_are_announced(client):
    html = text_of(client.post(reverse("accounts:login"), {"username": "", "password": ""}))
    summary = elements(html, "div", role="alert")
    assert len(summary) == 1 and summary[0]["class"] == "error-summary"
    for name, field_id in (("username", "id_username"), ("password", "id_password")):
        assert elements(html, "label", **{"for": field_id})
        widget = elements(html, "input", name=name)[0]
        assert widget["id"] == field_id
        assert widget["aria-invalid"] == "true"
        assert widget["aria-describedby"] == f"{field_id}_error"
        assert elements(html, "div", id=f"{field_id}_error", **{"class": "field__errors"})
        assert elements(html, "a", href=f"#{field_id}")  # the summary links to the field
    assert html.count("This field is required.") == 4  # in the summary and next to each field


def test_a_wrong_password_is_one_form_error_at_the_top(client, make_user):
    user = make_user(Role.PATIENT)
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": "wrong-password-1"})
    html = text_of(response)
    assert "The e-mail address or password is not correct." in html
    assert elements(html, "div", role="alert", **{"class": "error-summary"})
    assert elements(html, "input", name="username", value=user.email)
    password_input = elements(html, "input", name="password")[0]
    assert "value" not in password_input
    assert "aria-invalid" not in password_input
    assert "_auth_user_id" not in client.session


def test_the_login_page_has_labelled_fields_and_no_autofocus(client):
    html = text_of(client.get(reverse("accounts:login")))
    assert elements(html, "label", **{"for": "id_username"})
    assert elements(html, "label", **{"for": "id_password"})
    assert elements(html, "input", name="username", type="email", autocomplete="username")
    assert elements(html, "input", name="password", type="password", autocomplete="current-password")
    assert not [attributes for attributes in elements(html) if "autofocus" in attributes]


def test_form_field_include_renders_help_text_optional_marker_and_checkboxes():
    class ExampleForm(forms.Form):
        phone = forms.CharField(required=False, help_text="Include the country code.")
        agree = forms.BooleanField(label="I agree")
        colour = forms.ChoiceField(choices=[("r", "Red"), ("g", "Green")], widget=forms.RadioSelect)

    form = ExampleForm(data={"phone": "x", "colour": "nope"})
    html = render_to_string("includes/form.html", {"form": form})
    phone = elements(html, "input", name="phone")[0]
    assert phone["aria-describedby"] == "id_phone_helptext"
    assert elements(html, "div", id="id_phone_helptext")
    assert "(optional)" in html
    agree = elements(html, "input", name="agree")[0]
    assert agree["aria-invalid"] == "true" and agree["aria-describedby"] == "id_agree_error"
    assert elements(html, "label", **{"for": "id_agree"})
    fieldset = elements(html, "fieldset")[0]
    assert fieldset["aria-describedby"] == "id_colour_error"
    assert "<legend" in html
    assert inline_code(html) == []


# Shell, navigation, sign-out


@pytest.mark.parametrize(
    ("role", "links"),
    [
        (Role.ADMIN, ["Dashboard", "Administration", "API docs", "Your account"]),
        (
            Role.COMPLIANCE,
            [
                "Dashboard",
                "Administration",
                "Break-the-glass reviews",
                "Privacy requests",
                "Legal holds",
                "Incidents",
                "Disclosures",
                "Data inventory",
                "API docs",
                "Your account",
            ],
        ),
        (
            Role.DOCTOR,
            ["Dashboard", "Patients", "Today", "Break-the-glass", "Record a disclosure", "API docs", "Your account"],
        ),
        (
            Role.NURSE,
            ["Dashboard", "Patients", "Today", "Break-the-glass", "Record a disclosure", "API docs", "Your account"],
        ),
        (Role.RECEPTIONIST, ["Dashboard", "Patients", "Today", "API docs", "Your account"]),
        (Role.PATIENT, ["Dashboard", "My record", "My privacy", "Disclosures", "Your account"]),
        (None, ["Dashboard", "Your account"]),
    ],
)
def test_navigation_and_dashboard_fit_the_role(signed_in, role, links):
    client = signed_in(role, full_name="Robin Example")
    response = client.get(reverse("dashboard"))
    html = text_of(response)
    nav = html.split('<nav class="site-nav" aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'<a class="site-nav__link"[^>]*>([^<]+)</a>', nav) == links
    assert 'aria-current="page">Dashboard</a>' in nav
    assert "Welcome, Robin Example" in html
    assert "Robin Example" in html.split("</header>", 1)[0]
    if role is None:
        assert "does not have a role" in html
    else:
        assert f'<span class="badge">{role.label}</span>' in html
        assert f"<strong>{role.label}</strong>" in html
        assert 'class="checklist"' in html


@pytest.mark.parametrize("role", [*Role, None])
def test_no_link_on_the_dashboard_is_dead(signed_in, role):
    client = signed_in(role)
    html = text_of(client.get(reverse("dashboard")))
    hrefs = {attributes["href"] for attributes in elements(html, "a") if attributes.get("href", "").startswith("/")}
    assert hrefs
    for href in hrefs:
        status = client.get(href).status_code
        assert status in (200, 302), (href, status)


def test_dashboard_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/"


def test_signing_out_lands_on_the_login_page_with_a_status_message(signed_in):
    client = signed_in(Role.DOCTOR)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    html = text_of(client.get(response["Location"]))
    assert elements(html, "div", role="status", **{"class": "message message--success"})
    assert SIGNED_OUT_MESSAGE in html
    assert client.get(reverse("dashboard")).status_code == 302


def test_sign_out_is_post_only(signed_in):
    client = signed_in(Role.PATIENT)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("dashboard")).status_code == 200


def test_signing_out_without_a_session_says_nothing(client):
    response = client.post(reverse("accounts:logout"), follow=True)
    assert SIGNED_OUT_MESSAGE not in text_of(response)


def test_the_sign_out_form_in_the_header_posts_with_a_csrf_token(signed_in):
    html = text_of(signed_in(Role.PATIENT).get(reverse("dashboard")))
    form = elements(html, "form", action=reverse("accounts:logout"))
    assert form and form[0]["method"] == "post"
    assert elements(html, "input", name="csrfmiddlewaretoken")


def test_the_stylesheet_and_logo_are_served_locally(client):
    for asset in ("/static/css/app.css", "/static/img/logo.svg"):
        response = client.get(asset)
        assert response.status_code == 200, asset
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"http://" not in body.replace(b"http://www.w3.org/2000/svg", b"")
        assert b"https://" not in body
        assert b"@import" not in body
