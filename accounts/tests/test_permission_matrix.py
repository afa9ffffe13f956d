"""The permission matrix of every URL outside the records app and the admin site (accounts pages,
account API, dashboard, API docs and health), by role and method, against the declared table
below (SECURITY.md check 13; records/tests/test_permission_matrix.py covers the records URLs,
accounts/tests/test_admin.py the OTP admin site). A URL without an entry fails the test, and so
does an entry whose URL no longer exists.

Roles: anonymous; patient (password, no authenticator); half (a nurse with an authenticator who
passed the password but not the code); staff (a doctor, code passed); admin (code passed); and,
on the API only, bearer_patient and bearer_staff (JWT access tokens, the staff one with the MFA
claim). Each request runs in a savepoint that is rolled back; bodies are empty. Session ids in
URLs are the requester's own session (another user's is tested in test_sessions.py).

Cells: a status, or "login" / "code" / "enrol" / "home" / "sessions" for a 302 to the login page,
the code step, enrolment, the dashboard or the sessions page.
"""

import copy

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from accounts.models import UserSession
from accounts.roles import Role
from accounts.tests.helpers import force_verified_login, sign_in
from accounts.tests.mfa_helpers import confirmed_device
from accounts.tokens import token_pair_issue
from healthpro.tests.conftest import clear_cache

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PAGE_ROLES = ("anonymous", "patient", "half", "staff", "admin")
API_ROLES = (*PAGE_ROLES, "bearer_patient", "bearer_staff")
REDIRECTS = {
    "login": "/accounts/login/",
    "code": "/accounts/mfa/verify/",
    "enrol": "/accounts/mfa/setup/",
    "home": "/",
    "sessions": "/accounts/sessions/",
}


def row(cells: str) -> tuple[str, ...]:
    """One role's answers to GET POST PUT PATCH DELETE, e.g. "200 200 200 405 405"."""
    cells = tuple(cells.split())
    assert len(cells) == len(METHODS)
    return cells


def same(cells: str, roles) -> dict:
    return dict.fromkeys(roles, row(cells))


HALF_TO_CODE = {"half": row("code code code code code")}
SIGNED_IN_ONLY_PAGE = {
    "anonymous": row("login login login login login"),
    "half": row("code code code code code"),
}
PUBLIC_FORM = row("200 200 200 405 405")
GET_ONLY = row("200 405 405 405 405")
ACCOUNT_API_SIGNED_IN = {
    "anonymous": row("401 401 401 401 401"),
    "half": row("403 403 403 403 403"),
}
AUTH_API = same("405 400 405 405 405", API_ROLES)

EXPECTED = {
    "dashboard": {
        **SIGNED_IN_ONLY_PAGE,
        **same("200 200 200 200 200", ("patient", "staff", "admin")),
    },
    "accounts:login": {
        "anonymous": PUBLIC_FORM,
        "patient": row("home home home home home"),
        "half": row("code code code code code"),
        **same("code code code code code", ("staff", "admin")),  # a signed-in user is sent on
    },
    "accounts:logout": same("405 login 405 405 405", PAGE_ROLES),
    "accounts:signup": {
        "anonymous": PUBLIC_FORM,
        "half": row("code code code code code"),
        **same("home home home home home", ("patient", "staff", "admin")),
    },
    # Pages for people who are not signed in answer anyone, except a session owing its code.
    # A link page (verify, invitation, reset) with a garbage token is a 400.
    "accounts:signup_done": {**same("200 405 405 405 405", PAGE_ROLES), **HALF_TO_CODE},
    "accounts:verification_resend": {**same("200 200 200 405 405", PAGE_ROLES), **HALF_TO_CODE},
    "accounts:verify_email": {**same("400 400 405 405 405", PAGE_ROLES), **HALF_TO_CODE},
    "accounts:invitation_accept": {**same("400 400 400 400 400", PAGE_ROLES), **HALF_TO_CODE},
    "accounts:password_reset": {**same("200 200 200 405 405", PAGE_ROLES), **HALF_TO_CODE},
    "accounts:password_reset_done": {**same("200 405 405 405 405", PAGE_ROLES), **HALF_TO_CODE},
    "accounts:password_reset_confirm": {**same("400 400 400 400 400", PAGE_ROLES), **HALF_TO_CODE},
    "accounts:password_change": {**SIGNED_IN_ONLY_PAGE, **same("200 200 200 405 405", ("patient", "staff", "admin"))},
    "accounts:profile": {**SIGNED_IN_ONLY_PAGE, **same("200 200 200 200 200", ("patient", "staff", "admin"))},
    "accounts:sessions": {**SIGNED_IN_ONLY_PAGE, **same("200 200 200 200 200", ("patient", "staff", "admin"))},
    "accounts:sessions_end_others": {
        **SIGNED_IN_ONLY_PAGE,
        **same("405 sessions 405 405 405", ("patient", "staff", "admin")),
    },
    "accounts:session_end": {
        **SIGNED_IN_ONLY_PAGE,
        **same("405 login 405 405 405", ("patient", "staff", "admin")),  # one's own: signed out here
    },
    "accounts:mfa_verify": {
        "anonymous": row("login login login login login"),
        "patient": row("enrol enrol enrol enrol enrol"),  # no authenticator: nothing to verify
        "half": row("200 200 405 405 405"),
        **same("home home home home home", ("staff", "admin")),
    },
    "accounts:mfa_setup": {
        "anonymous": row("login login login login login"),
        "patient": row("200 200 405 405 405"),
        **same("200 enrol 405 405 405", ("half", "staff", "admin")),  # replacing one needs a new code
    },
    "accounts:mfa_recovery_codes": {
        "anonymous": row("login login login login login"),
        "patient": row("code code code code code"),
        "half": row("code code code code code"),
        **same("200 200 405 405 405", ("staff", "admin")),
    },
    "api-health": same("200 405 405 405 405", API_ROLES),
    "api-schema": {**ACCOUNT_API_SIGNED_IN, **same("200 405 405 405 405", ("patient", "staff", "admin"))},
    "api-docs": {
        "anonymous": row("login login login login login"),
        "half": row("403 403 403 403 403"),
        **same("200 405 405 405 405", ("patient", "staff", "admin")),
    },
    "api-auth-sessions": {**ACCOUNT_API_SIGNED_IN, **same("200 405 405 405 405", ("patient", "staff", "admin"))},
    "api-auth-session": {
        **ACCOUNT_API_SIGNED_IN,
        **same("405 405 405 405 204", ("patient", "staff", "admin")),
        **same("405 405 405 405 404", ("bearer_patient", "bearer_staff")),  # a token has no browser session
    },
    "api-auth-token": AUTH_API,
    "api-auth-token-mfa": AUTH_API,
    "api-auth-token-refresh": AUTH_API,
    "api-auth-logout": AUTH_API,
    "api-auth-me": {**ACCOUNT_API_SIGNED_IN, **same("200 405 405 405 405", ("patient", "staff", "admin"))},
}
for name in ("api-schema", "api-auth-sessions", "api-auth-me"):
    EXPECTED[name].update(same("200 405 405 405 405", ("bearer_patient", "bearer_staff")))
EXPECTED["api-docs"].update(same("200 405 405 405 405", ("bearer_patient", "bearer_staff")))

LINK_ARGUMENTS = {"uidb64": "MQ", "token": "x-y"}


def covered_url_patterns():
    """(name, pattern) for every URL outside the records app and the admin site."""
    found = []

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue
                walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern):
                view = getattr(entry.callback, "view_class", None) or entry.callback
                if not view.__module__.startswith("records."):
                    found.append((f"{namespace}:{entry.name}" if namespace else entry.name, entry))

    walk(get_resolver().url_patterns, None)
    return found


def test_every_url_has_an_entry_and_every_entry_a_url():
    names = {name for name, _ in covered_url_patterns()}
    assert names - set(EXPECTED) == set(), "URLs without an entry in the permission matrix"
    assert set(EXPECTED) - names == set(), "entries for URLs that no longer exist"


def test_every_entry_covers_every_role():
    for name, roles in EXPECTED.items():
        wanted = API_ROLES if name.startswith("api-") else PAGE_ROLES
        assert set(roles) == set(wanted), name


@pytest.fixture
def people(make_user):
    half = make_user(Role.NURSE)
    confirmed_device(half)
    return {
        "patient": make_user(Role.PATIENT),
        "half": half,
        "staff": make_user(Role.DOCTOR),
        "admin": make_user(Role.ADMIN),
    }


def client_for(role, people, password, *, api: bool):
    if role == "anonymous":
        return APIClient() if api else Client()
    if role.startswith("bearer_"):
        user = people["patient" if role == "bearer_patient" else "staff"]
        client = APIClient()
        pair = token_pair_issue(user=user, mfa=user.requires_mfa)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
        return client
    client = APIClient() if api else Client()
    if role in ("patient", "half"):
        sign_in(client, people[role].email, password)
    else:
        force_verified_login(client, people[role])
    return client


def url_for(pattern: URLPattern, name: str, user) -> str:
    kwargs = {}
    for key in pattern.pattern.converters:
        if key == "session_id":
            own = UserSession.objects.filter(user=user).order_by("-pk").first() if user else None
            kwargs[key] = own.pk if own else 999_999
        else:
            kwargs[key] = LINK_ARGUMENTS[key]
    return reverse(name, kwargs=kwargs)


def cell(response) -> str:
    if response.status_code == 302:
        target = response["Location"].split("?")[0]
        return next((label for label, path in REDIRECTS.items() if path == target), f"302>{target}")
    return str(response.status_code)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_permission_matrix(name, people, password):
    patterns = dict(covered_url_patterns())
    api = name.startswith("api-")
    mismatches = []
    for role, expected in EXPECTED[name].items():
        # Signed in once per role: each request's changes (a sign-out included) are rolled back.
        client = client_for(role, people, password, api=api)
        url = url_for(patterns[name], name, people.get(role))
        cookies = copy.deepcopy(client.cookies)
        for method, wanted in zip(METHODS, expected, strict=True):
            client.cookies = copy.deepcopy(cookies)  # as the sign-out it may answer is rolled back
            clear_cache()  # throttles are not what this test is about
            with transaction.atomic():
                kwargs = {"format": "json"} if isinstance(client, APIClient) else {}
                send = getattr(client, method.lower())
                response = send(url) if method == "GET" else send(url, {}, **kwargs)
                transaction.set_rollback(True)
            if cell(response) != wanted:
                mismatches.append(f"{method} {role}: expected {wanted}, got {cell(response)}")
    assert mismatches == [], name
