"""The project-wide permission matrix: every URL pattern outside the records app (dashboard,
accounts pages, the API under /api/v1/, Django admin), by role and method, against the declared
tables below. records/tests/test_permission_matrix.py covers the records app the same way; the
two tables together must name every URL pattern of the project, no more and no fewer.

Roles: anonymous, admin, compliance, receptionist, doctor, nurse, patient. Staff sign in with a
verified second factor (pages: an OTP device in the session; API: a token pair with the `mfa`
claim); patients without one, as they do. Each request runs in a savepoint that is rolled back
and with an empty cache (throttles, lockouts), so every cell starts from the same state, and
carries an empty body. Link-token URLs (verify, invitation, reset) carry an invalid token.

Django admin generates six patterns per registered model; they are not written out one by one
but derived from ADMIN_MODELS (which role may do which kind of thing to which model, as
accounts.roles grants it) and ADMIN_MODEL_VIEWS (what each kind of view answers): a model
registered in the admin without an ADMIN_MODELS entry has no expectations, and fails.
"""

from http.cookies import SimpleCookie

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.test.client import ClientHandler
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient, ForceAuthClientHandler
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import OutgoingEmail, User, UserSession
from accounts.services.tokens import token_pair_issue
from audit.models import AuditEvent
from compliance.models import ConsentPurpose, ConsentVersion
from compliance.services.disclosures import accounting_request_open
from compliance.services.exports import export_build
from compliance.services.holds import legal_hold_place
from compliance.services.requests import request_open
from compliance.tests.factories import open_incident
from records import services
from records.models import ClinicalNote
from records.tests.factories import register_patient
from records.tests.test_permission_matrix import EXPECTED as RECORDS_EXPECTED
from records.tests.test_permission_matrix import client_for as records_client_for
from records.tests.test_permission_matrix import records_url_patterns
from tests.cache import clear_cache

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
ADMIN, COMPLIANCE, RECEPTIONIST, DOCTOR, NURSE, PATIENT = (
    "admin",
    "compliance",
    "receptionist",
    "doctor",
    "nurse",
    "patient",
)
ROLES = (ANONYMOUS, ADMIN, COMPLIANCE, RECEPTIONIST, DOCTOR, NURSE, PATIENT)
SIGNED_IN = ROLES[1:]
STAFF = (ADMIN, COMPLIANCE, RECEPTIONIST, DOCTOR, NURSE)
ADMIN_SITE_USERS = (ADMIN, COMPLIANCE)  # is_staff: may open Django admin at all
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def expect(*, rest: dict | None = None, **methods: dict) -> dict:
    """{method: {role: status}} from groups of roles: `get=..., post=...` (lower case) map a role
    or a tuple of roles to a status, later keys winning; `rest` is used for the methods not given.
    Every role of every method must end up with a status."""
    table = {}
    for method in METHODS:
        given = methods.get(method.lower(), rest)
        assert given is not None, f"no expectation for {method}"
        row = {}
        for roles, status in given.items():
            for role in (roles,) if isinstance(roles, str) else roles:
                row[role] = status
        assert set(row) == set(ROLES), f"{method}: roles without an expectation: {set(ROLES) - set(row)}"
        table[method] = row
    return table


ANYONE = {ROLES: 405}  # a method no one may use


def form_page(who: dict, others: dict) -> dict:
    """A page with a form (a Django FormView, which serves PUT as POST): `who` get the page and
    its form's errors on an empty body, `others` get the same answer on every method."""
    return expect(
        get={**others, **who},
        post={**others, **who},
        put={**others, **who},
        rest={**others, **{roles: 405 for roles in who}},
    )


def read_only(who: dict, others: dict) -> dict:
    """A page or endpoint that `who` may only read (405 for other methods); `others` get the same
    answer on every method."""
    return expect(get={**others, **who}, rest={**others, **{roles: 405 for roles in who}})


def post_only(who: dict, others: dict | None = None) -> dict:
    """An action: `who` POST it and get the given answer, 405 for other methods."""
    others = others or {}
    return expect(post={**others, **who}, rest={**others, **{roles: 405 for roles in who}})


def get_post_page(who: dict, others: dict) -> dict:
    """A page with a form served by GET and POST only (an empty POST shows the form again)."""
    return expect(get={**others, **who}, post={**others, **who}, rest={**others, **{roles: 405 for roles in who}})


EXPECTED = {
    # Pages
    "dashboard": read_only({SIGNED_IN: 200}, {ANONYMOUS: 302}),
    # Signed-in users are sent on from the sign-in and sign-up pages, whatever the method.
    "accounts:login": form_page({ANONYMOUS: 200}, {SIGNED_IN: 302}),
    "accounts:logout": post_only({ROLES: 302}),
    "accounts:signup": form_page({ANONYMOUS: 200}, {SIGNED_IN: 302}),
    "accounts:signup_done": read_only({ROLES: 200}, {}),
    "accounts:verification_resend": form_page({ROLES: 200}, {}),
    "accounts:password_reset": form_page({ROLES: 200}, {}),
    "accounts:password_reset_done": read_only({ROLES: 200}, {}),
    # Invalid links: a 400 page, whoever opens them.
    "accounts:verify_email": expect(get={ROLES: 400}, post={ROLES: 400}, rest=ANYONE),
    "accounts:invitation_accept": expect(rest={ROLES: 400}),
    "accounts:password_reset_confirm": expect(rest={ROLES: 400}),
    "accounts:password_change": form_page({SIGNED_IN: 200}, {ANONYMOUS: 302}),
    "accounts:profile": read_only({SIGNED_IN: 200}, {ANONYMOUS: 302}),
    "accounts:sessions": read_only({SIGNED_IN: 200}, {ANONYMOUS: 302}),
    "accounts:sessions_end_others": post_only({SIGNED_IN: 302}, {ANONYMOUS: 302}),
    # The session is the patient's other browser: only its owner may end it; for anyone else it
    # does not exist.
    "accounts:session_end": post_only({PATIENT: 302, STAFF: 404}, {ANONYMOUS: 302}),
    # Staff have passed their second factor and are sent on; patients have none to pass.
    "accounts:mfa_verify": expect(rest={ROLES: 302}),
    # Staff are enrolled already (an empty POST sends them back to the page); a patient may enrol.
    "accounts:mfa_setup": expect(
        get={ANONYMOUS: 302, SIGNED_IN: 200},
        post={ANONYMOUS: 302, STAFF: 302, PATIENT: 200},
        rest={ANONYMOUS: 302, SIGNED_IN: 405},
    ),
    # Patients have no verified second factor, so no recovery codes: sent to the verify step.
    "accounts:mfa_recovery_codes": expect(
        get={(ANONYMOUS, PATIENT): 302, STAFF: 200},
        post={(ANONYMOUS, PATIENT): 302, STAFF: 200},
        rest={(ANONYMOUS, PATIENT): 302, STAFF: 405},
    ),
    # API
    "api-health": read_only({ROLES: 200}, {}),
    "api-schema": read_only({SIGNED_IN: 200}, {ANONYMOUS: 401}),
    # The docs are an HTML page: anonymous visitors are sent to sign in.
    "api-docs": read_only({SIGNED_IN: 200}, {ANONYMOUS: 302}),
    # Sign-in steps: open to anyone; an empty body is a 400.
    "api-auth-token": post_only({ROLES: 400}),
    "api-auth-token-mfa": post_only({ROLES: 400}),
    "api-auth-token-refresh": post_only({ROLES: 400}),
    "api-auth-logout": post_only({ROLES: 400}),
    "api-auth-me": read_only({SIGNED_IN: 200}, {ANONYMOUS: 401}),
    "api-auth-sessions": read_only({SIGNED_IN: 200}, {ANONYMOUS: 401}),
    "api-auth-session": expect(
        delete={ANONYMOUS: 401, PATIENT: 204, STAFF: 404}, rest={ANONYMOUS: 401, SIGNED_IN: 405}
    ),
    # compliance: the patient's own consents (an empty answer is a message and a redirect)
    "compliance:portal-privacy": expect(
        get={ANONYMOUS: 302, STAFF: 403, PATIENT: 200},
        post={ANONYMOUS: 302, STAFF: 403, PATIENT: 302},
        rest={ANONYMOUS: 302, STAFF: 403, PATIENT: 405},
    ),
    # Paper consents: reception and compliance for any patient, clinicians for their care team's
    # (the world's patient is on no care team: 404 on every method, as for a missing id).
    "compliance:patient-consents": expect(
        get={ANONYMOUS: 302, (ADMIN, PATIENT): 403, (RECEPTIONIST, COMPLIANCE): 200, (DOCTOR, NURSE): 404},
        post={ANONYMOUS: 302, (ADMIN, PATIENT): 403, (RECEPTIONIST, COMPLIANCE): 302, (DOCTOR, NURSE): 404},
        rest={ANONYMOUS: 302, (ADMIN, PATIENT): 403, (RECEPTIONIST, COMPLIANCE): 405, (DOCTOR, NURSE): 404},
    ),
    "compliance:inventory": read_only(
        {COMPLIANCE: 200}, {ANONYMOUS: 302, (ADMIN, RECEPTIONIST, DOCTOR, NURSE, PATIENT): 403}
    ),
    "compliance:inventory-csv": read_only(
        {COMPLIANCE: 200}, {ANONYMOUS: 302, (ADMIN, RECEPTIONIST, DOCTOR, NURSE, PATIENT): 403}
    ),
    # The consent API: patients only; an empty body lacks the version (400).
    "compliance-api:consent-list": read_only({PATIENT: 200}, {ANONYMOUS: 401, STAFF: 403}),
    "compliance-api:consent-give": post_only({PATIENT: 400}, {ANONYMOUS: 401, STAFF: 403}),
    "compliance-api:consent-withdraw": post_only({PATIENT: 400}, {ANONYMOUS: 401, STAFF: 403}),
    # The patient's own data-subject export (the world's patient has a ready one): nobody else
    # uses these, whatever their role, and staff are refused before the method is looked at.
    "compliance:export": expect(
        get={ANONYMOUS: 302, PATIENT: 200, STAFF: 403},
        post={ANONYMOUS: 302, PATIENT: 302, STAFF: 403},
        rest={ANONYMOUS: 302, PATIENT: 405, STAFF: 403},
    ),
    "compliance:export-download": expect(
        get={ANONYMOUS: 302, PATIENT: 200, STAFF: 403}, rest={ANONYMOUS: 302, PATIENT: 405, STAFF: 403}
    ),
    # The API checks the method before the role: staff get 405 on a method no one may use.
    "compliance-api:export-list": expect(
        get={ANONYMOUS: 401, PATIENT: 200, STAFF: 403},
        post={ANONYMOUS: 401, PATIENT: 201, STAFF: 403},
        rest={ANONYMOUS: 401, SIGNED_IN: 405},
    ),
    "compliance-api:export-detail": expect(
        get={ANONYMOUS: 401, PATIENT: 200, STAFF: 403}, rest={ANONYMOUS: 401, SIGNED_IN: 405}
    ),
    "compliance-api:export-download": expect(
        get={ANONYMOUS: 401, PATIENT: 200, STAFF: 403}, rest={ANONYMOUS: 401, SIGNED_IN: 405}
    ),
    **{
        # compliance: the incident register and the accounting requests are the compliance officers'
        # alone; everyone else signed in gets 403 on every method (the pages' role guard runs first).
        f"compliance:{name}": page(who, {ANONYMOUS: 302, tuple(set(SIGNED_IN) - set(who)): 403})
        for name, page, who in (
            ("incident-list", read_only, {COMPLIANCE: 200}),
            ("incident-new", lambda who, others: get_post_page(who, others), {COMPLIANCE: 200}),
            ("incident-detail", read_only, {COMPLIANCE: 200}),
            ("incident-edit", lambda who, others: get_post_page(who, others), {COMPLIANCE: 200}),
            ("incident-assess", lambda who, others: get_post_page(who, others), {COMPLIANCE: 200}),
            ("incident-patients", lambda who, others: get_post_page(who, others), {COMPLIANCE: 200}),
            ("incident-draft", lambda who, others: get_post_page(who, others), {COMPLIANCE: 200}),
            # Actions answer with a message and a redirect, an empty body included.
            ("incident-draft-generate", post_only, {COMPLIANCE: 302}),
            ("incident-draft-sent", post_only, {COMPLIANCE: 302}),
            # Doctors and nurses record disclosures too (for patients they may see: the service checks).
            (
                "disclosure-new",
                lambda who, others: get_post_page(who, others),
                {COMPLIANCE: 200, DOCTOR: 200, NURSE: 200},
            ),
            ("disclosure-list", read_only, {COMPLIANCE: 200}),
            ("accounting-list", lambda who, others: get_post_page(who, others), {COMPLIANCE: 200}),
            ("accounting-detail", read_only, {COMPLIANCE: 200}),
            ("accounting-produced", post_only, {COMPLIANCE: 302}),
            ("accounting-extend", lambda who, others: get_post_page(who, others), {COMPLIANCE: 200}),
        )
    },
    # The patient's own disclosures, in the portal.
    "portal-disclosures:own": read_only({PATIENT: 200}, {ANONYMOUS: 302, STAFF: 403}),
    "portal-disclosures:request": post_only({PATIENT: 302}, {ANONYMOUS: 302, STAFF: 403}),
}

# compliance: data-subject requests and legal holds. The world's request is the patient's, open,
# of a kind that is not a correction and with the identity not yet verified; the world's hold is
# in force. Compliance officers' actions with an empty body are refused with the form (400).
NOT_COMPLIANCE = (ADMIN, RECEPTIONIST, DOCTOR, NURSE, PATIENT)
OFFICERS_ONLY = {ANONYMOUS: 302, NOT_COMPLIANCE: 403}
PATIENTS_ONLY = {ANONYMOUS: 302, STAFF: 403}
PATIENTS_ONLY_API = {ANONYMOUS: 401, STAFF: 403}
EXPECTED.update(
    {
        "compliance:request-queue": read_only({COMPLIANCE: 200}, OFFICERS_ONLY),
        "compliance:request-new": expect(
            get={**OFFICERS_ONLY, COMPLIANCE: 200},
            post={**OFFICERS_ONLY, COMPLIANCE: 200},
            rest={**OFFICERS_ONLY, COMPLIANCE: 405},
        ),
        "compliance:request-detail": read_only({COMPLIANCE: 200}, OFFICERS_ONLY),
        "compliance:request-verify": post_only({COMPLIANCE: 400}, OFFICERS_ONLY),
        "compliance:request-assign": post_only({COMPLIANCE: 400}, OFFICERS_ONLY),
        "compliance:request-extend": post_only({COMPLIANCE: 400}, OFFICERS_ONLY),
        # The identity is not verified yet: completing is refused.
        "compliance:request-complete": post_only({COMPLIANCE: 400}, OFFICERS_ONLY),
        "compliance:request-refuse": post_only({COMPLIANCE: 400}, OFFICERS_ONLY),
        # Not a correction request: nothing to apply.
        "compliance:rectification-apply": post_only({COMPLIANCE: 400}, OFFICERS_ONLY),
        "compliance:restriction-lift": post_only({COMPLIANCE: 400}, OFFICERS_ONLY),
        "compliance:hold-list": read_only({COMPLIANCE: 200}, OFFICERS_ONLY),
        "compliance:hold-place": expect(
            get={**OFFICERS_ONLY, COMPLIANCE: 200},
            post={**OFFICERS_ONLY, COMPLIANCE: 200},
            rest={**OFFICERS_ONLY, COMPLIANCE: 405},
        ),
        "compliance:hold-lift": post_only({COMPLIANCE: 400}, OFFICERS_ONLY),
        "privacy:request-list": read_only({PATIENT: 200}, PATIENTS_ONLY),
        "privacy:request-new": expect(
            get={**PATIENTS_ONLY, PATIENT: 200},
            post={**PATIENTS_ONLY, PATIENT: 200},
            rest={**PATIENTS_ONLY, PATIENT: 405},
        ),
        "privacy:rectification-new": expect(
            get={**PATIENTS_ONLY, PATIENT: 200},
            post={**PATIENTS_ONLY, PATIENT: 200},
            rest={**PATIENTS_ONLY, PATIENT: 405},
        ),
        "privacy:request-detail": read_only({PATIENT: 200}, PATIENTS_ONLY),
        # Withdrawn (in the rolled-back savepoint), then back to the request's page.
        "privacy:request-withdraw": post_only({PATIENT: 302}, PATIENTS_ONLY),
        # The API checks the role before the method (DRF runs the permission checks first).
        "compliance-api:request-list": expect(
            get={**PATIENTS_ONLY_API, PATIENT: 200},
            post={**PATIENTS_ONLY_API, PATIENT: 400},
            rest={**PATIENTS_ONLY_API, PATIENT: 405},
        ),
        "compliance-api:request-detail": expect(
            get={**PATIENTS_ONLY_API, PATIENT: 200}, rest={**PATIENTS_ONLY_API, PATIENT: 405}
        ),
        "compliance-api:request-withdraw": expect(
            post={**PATIENTS_ONLY_API, PATIENT: 200}, rest={**PATIENTS_ONLY_API, PATIENT: 405}
        ),
    }
)

# Django admin

# Roles that may not use the admin site at all are sent to its sign-in page, on every admin URL.
OUTSIDE_ADMIN_SITE = (ANONYMOUS, RECEPTIONIST, DOCTOR, NURSE, PATIENT)


def admin_page(*, rest: dict, **methods: dict) -> dict:
    """A page behind the admin site: `rest` and `get=...` etc. give what the admin and the
    compliance officer get ({role: status}); everyone else is sent to the admin sign-in (302)."""
    outside = {OUTSIDE_ADMIN_SITE: 302}
    return expect(rest={**outside, **rest}, **{method: {**outside, **statuses} for method, statuses in methods.items()})


def admin_gate(statuses: dict) -> dict:
    """An admin page that answers every method alike (Django admin serves PUT, PATCH and DELETE as GET)."""
    return admin_page(rest=statuses)


# What each role may do to each model registered in the admin: the grants of accounts.roles,
# less what the model's admin forbids everyone (audit rows are never edited, accounts are
# deactivated rather than deleted). Roles left out may do nothing to the model.
ADMIN_MODELS = {
    "accounts.user": {ADMIN: {"view", "add", "change"}, COMPLIANCE: {"view"}},
    # Read only for everyone; the admin's change permission only allows the retry action.
    "accounts.outgoingemail": {ADMIN: {"view"}},
    "auth.group": {ADMIN: {"view"}},
    # A consent text never changes once published (a new version is added) and nothing is deleted.
    "compliance.consentpurpose": {ADMIN: {"view", "add", "change"}, COMPLIANCE: {"view", "add", "change"}},
    "compliance.consentversion": {ADMIN: {"view", "add"}, COMPLIANCE: {"view", "add"}},
    "audit.auditevent": {COMPLIANCE: {"view"}},
    "auditlog.logentry": {},
    "axes.accessattempt": {ADMIN: {"view", "delete"}, COMPLIANCE: {"view"}},
    "axes.accessfailurelog": {ADMIN: {"view"}, COMPLIANCE: {"view"}},
    "axes.accesslog": {ADMIN: {"view"}, COMPLIANCE: {"view"}},
    "otp_static.staticdevice": {ADMIN: {"view", "delete"}},
    "otp_totp.totpdevice": {ADMIN: {"view", "delete"}},
    "token_blacklist.blacklistedtoken": {},
    "token_blacklist.outstandingtoken": {},
}

ADMIN_SITE_EXPECTED = {
    "admin:index": admin_gate({ADMIN_SITE_USERS: 200}),
    # A signed-in admin is sent on; anyone else gets the form (staff of other roles cannot enter).
    "admin:login": expect(
        get={ADMIN_SITE_USERS: 302, OUTSIDE_ADMIN_SITE: 200}, post={ROLES: 200}, put={ROLES: 200}, rest=ANYONE
    ),
    "admin:logout": admin_page(post={ADMIN_SITE_USERS: 302}, rest={ADMIN_SITE_USERS: 405}),
    "admin:password_change": admin_page(
        get={ADMIN_SITE_USERS: 200},
        post={ADMIN_SITE_USERS: 200},
        put={ADMIN_SITE_USERS: 200},
        rest={ADMIN_SITE_USERS: 405},
    ),
    "admin:password_change_done": admin_page(get={ADMIN_SITE_USERS: 200}, rest={ADMIN_SITE_USERS: 405}),
    # Without a model and field in the query, the autocomplete refuses.
    "admin:autocomplete": admin_page(get={ADMIN_SITE_USERS: 403}, rest={ADMIN_SITE_USERS: 405}),
    "admin:jsi18n": admin_page(get={ADMIN_SITE_USERS: 200}, rest={ADMIN_SITE_USERS: 405}),
    # "View on site" for a user: users have no public page.
    "admin:view_on_site": admin_gate({ADMIN_SITE_USERS: 404}),
    "/admin/(?P<url>.*)$": admin_gate({ADMIN_SITE_USERS: 404}),
    # admin:app_list is checked once per application (admin_app_list_cases).
    # Setting a user's password is changing the user.
    "admin:auth_user_password_change": "accounts.user:password_change",
    # TOTP secrets are never shown (OTP_ADMIN_HIDE_SENSITIVE_DATA): whoever reads one holds the factor.
    "admin:otp_totp_totpdevice_config": admin_gate({ADMIN_SITE_USERS: 403}),
    "admin:otp_totp_totpdevice_qrcode": admin_gate({ADMIN_SITE_USERS: 403}),
}

# The views Django admin makes for each registered model: the kinds of access (from
# ADMIN_MODELS) that let a role in, for GET (and PUT, PATCH, DELETE, served as GET) and for
# POST. An empty POST to a delete page shows the confirmation again and deletes nothing.
ADMIN_MODEL_VIEWS = {
    "changelist": ({"view", "change"}, {"view", "change"}),
    "add": ({"add"}, {"add"}),
    "change": ({"view", "change"}, {"change"}),
    "delete": ({"delete"}, {"delete"}),
    "history": ({"view", "change"}, {"view", "change"}),
    "password_change": ({"change"}, {"change"}),
}


def admin_model_view(model: str, kind: str) -> dict:
    enter_get, enter_post = ADMIN_MODEL_VIEWS[kind]

    def status(role, kinds_needed):
        return 200 if ADMIN_MODELS[model].get(role, set()) & kinds_needed else 403

    return admin_page(
        post={role: status(role, enter_post) for role in ADMIN_SITE_USERS},
        rest={role: status(role, enter_get) for role in ADMIN_SITE_USERS},
    )


def admin_model_key(model: str, kind: str) -> str:
    app_label, model_name = model.split(".")
    if kind == "object":
        return f"/admin/{app_label}/{model_name}/<path:object_id>/"
    return f"admin:{app_label}_{model_name}_{kind}"


def admin_expected() -> dict:
    """key → (model or None, expectations) for every admin URL pattern the tables declare."""
    found = {}
    for model in ADMIN_MODELS:
        for kind in ("changelist", "add", "change", "delete", "history"):
            found[admin_model_key(model, kind)] = (model, admin_model_view(model, kind))
        # /admin/<app>/<model>/<id>/ only redirects to the change page, which checks.
        found[admin_model_key(model, "object")] = (model, admin_gate({ADMIN_SITE_USERS: 302}))
    for key, expected in ADMIN_SITE_EXPECTED.items():
        if isinstance(expected, str):
            model, kind = expected.split(":")
            found[key] = (model, admin_model_view(model, kind))
        else:
            model = next((m for m in ADMIN_MODELS if key.startswith(admin_model_key(m, ""))), None)
            found[key] = (model, expected)
    found["admin:app_list"] = (None, None)
    return found


def admin_app_list_cases() -> list:
    """The index of each application: shown to a role that may do anything to one of its models,
    404 for other admin users."""
    cases = []
    for app_label in sorted({model.split(".")[0] for model in ADMIN_MODELS}):
        models = [model for model in ADMIN_MODELS if model.startswith(f"{app_label}.")]
        statuses = {role: 200 if any(ADMIN_MODELS[m].get(role) for m in models) else 404 for role in ADMIN_SITE_USERS}
        cases.append((reverse("admin:app_list", kwargs={"app_label": app_label}), admin_gate(statuses)))
    return cases


# Walking the URLs


def pattern_key(namespace: str | None, entry: URLPattern, route: str) -> str:
    """The key of a pattern in the tables: `namespace:name` (the bare name outside any namespace);
    an unnamed pattern is keyed by its full route."""
    if entry.name is None:
        return route
    return f"{namespace}:{entry.name}" if namespace else entry.name


def project_url_patterns() -> dict:
    """key → (pattern, full route) for every URL pattern of the project."""
    found = {}

    def walk(patterns, namespace, prefix):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.namespace or namespace, route)
            else:
                key = pattern_key(namespace, entry, route)
                assert key not in found, f"two URL patterns share the key {key}"
                found[key] = (entry, route)

    walk(get_resolver().url_patterns, None, "/")
    return found


# The world every cell starts from


@pytest.fixture
def world(make_user, settings, tmp_path):
    users = {role: make_user(role) for role in SIGNED_IN}
    # Documents and exports in this test's own folders.
    settings.DOCUMENTS_DIR = tmp_path / "documents"
    settings.EXPORTS_DIR = tmp_path / "exports"
    # The patient's other browser: a session of theirs that only they may end.
    other_browser = Client()
    other_browser.force_login(users[PATIENT])
    patient_session = UserSession.objects.filter(user=users[PATIENT]).latest("pk")
    # compliance: the patient's record (on no care team), one open request of theirs and a legal
    # hold on them.
    patient = register_patient(actor=users[RECEPTIONIST])
    patient.user = users[PATIENT]
    patient.save(update_fields=["user"])
    privacy_request = request_open(actor=users[PATIENT], kind="access")
    hold = legal_hold_place(actor=users[COMPLIANCE], patient_id=patient.pk, reason="Litigation hold for the matrix.")
    export = export_build(actor=users[PATIENT], patient_id=patient.pk)
    return {
        "users": users,
        "patient_session": patient_session,
        "patient": patient,
        "admin_objects": admin_objects(users),
        "privacy_request": privacy_request,
        "legal_hold": hold,
        "export": export,
        "incident": open_incident(actor=users[COMPLIANCE]),
        "accounting": accounting_request_open(actor=users[COMPLIANCE], patient_id=patient.pk),
    }


def admin_objects(users) -> dict:
    """One object of each model registered in the admin, for its change, delete and history pages."""

    patient = users[PATIENT]
    token_pair_issue(user=patient, mfa=False)
    outstanding = OutstandingToken.objects.filter(user=patient).latest("pk")
    access = {"username": patient.email, "ip_address": "192.0.2.1", "user_agent": "matrix", "http_accept": "*/*"}
    return {
        "accounts.user": patient,
        "accounts.outgoingemail": OutgoingEmail.objects.create(template="password_changed", recipient=patient),
        "auth.group": Group.objects.get(name=PATIENT),
        "compliance.consentpurpose": ConsentPurpose.objects.get(key=ConsentPurpose.EMAIL_REMINDERS),
        "compliance.consentversion": ConsentVersion.objects.filter(purpose__key=ConsentPurpose.EMAIL_REMINDERS).first(),
        "audit.auditevent": AuditEvent.objects.latest("pk"),
        "auditlog.logentry": LogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(User),
            object_pk=str(patient.pk),
            object_repr=f"User #{patient.pk}",
            action=LogEntry.Action.UPDATE,
        ),
        "axes.accessattempt": AccessAttempt.objects.create(**access, get_data="", post_data="", failures_since_start=1),
        "axes.accessfailurelog": AccessFailureLog.objects.create(**access),
        "axes.accesslog": AccessLog.objects.create(**access),
        "otp_static.staticdevice": StaticDevice.objects.create(user=users[DOCTOR], name="recovery codes"),
        "otp_totp.totpdevice": TOTPDevice.objects.create(user=users[NURSE], name="phone", confirmed=True),
        "token_blacklist.blacklistedtoken": BlacklistedToken.objects.create(token=outstanding),
        "token_blacklist.outstandingtoken": outstanding,
    }


def invalid_link_kwargs(world) -> dict:
    return {"uidb64": urlsafe_base64_encode(force_bytes(world["users"][PATIENT].pk)), "token": "invalid-link-token"}


def is_api(route: str) -> bool:
    return route.startswith("/api/")


def all_expected() -> dict:
    """key → (model or None, expectations) of this module's tables (records' are separate)."""
    return {**{key: (None, table) for key, table in EXPECTED.items()}, **admin_expected()}


def cases_for(key: str, pattern: URLPattern, route: str, world) -> list:
    """[(url, expectations)] for one URL pattern."""
    if key == "admin:app_list":
        return admin_app_list_cases()
    model, table = all_expected()[key]
    if route == "/admin/(?P<url>.*)$":
        return [("/admin/no-such-page/", table)]
    kwargs = {}
    for argument in pattern.pattern.converters:
        if argument in ("uidb64", "token"):
            kwargs[argument] = invalid_link_kwargs(world)[argument]
        elif argument == "session_id":
            kwargs[argument] = world["patient_session"].pk
        elif argument == "export_id":
            kwargs[argument] = world["export"].pk
        elif argument == "patient_id":
            kwargs[argument] = world["patient"].pk
        elif argument == "purpose_key":
            kwargs[argument] = ConsentPurpose.EMAIL_REMINDERS
        elif argument == "content_type_id":
            kwargs[argument] = ContentType.objects.get_for_model(User).pk
        elif key == "admin:view_on_site" and argument == "object_id":
            kwargs[argument] = world["users"][PATIENT].pk
        elif argument == "request_id":
            kwargs[argument] = world["privacy_request"].pk
        elif argument == "hold_id":
            kwargs[argument] = world["legal_hold"].pk
        elif argument == "incident_id":
            kwargs[argument] = world["incident"].pk
        elif argument == "kind":
            kwargs[argument] = "authority"
        elif argument == "accounting_id":
            kwargs[argument] = world["accounting"].pk
        elif argument in ("object_id", "id", "pk"):
            kwargs[argument] = world["admin_objects"][model].pk
        else:
            raise AssertionError(f"{key}: no value for the URL argument {argument}")
    if key.startswith("/"):
        return [(route.replace("<path:object_id>", str(kwargs["object_id"])), table)]
    return [(reverse(key, kwargs=kwargs), table)]


@pytest.fixture(scope="module")
def handlers():
    """One request handler for the page clients and one for the API clients of the whole module:
    a new handler per client loads the middleware again, whitenoise's file scan included, which
    would make this module several times slower. Clients keep their own cookies and credentials."""

    return {"page": ClientHandler(enforce_csrf_checks=False), "api": ForceAuthClientHandler(enforce_csrf_checks=False)}


def client_of(role: str, world, handlers, *, api: bool):
    if api:
        client = APIClient()
        if role != ANONYMOUS:
            user = world["users"][role]
            # Issued as the API issues them: after the code step for staff (the `mfa` claim).
            pair = token_pair_issue(user=user, mfa=user.requires_mfa)
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
        client.handler = handlers["api"]
        return client
    # Pages: signed in with a verified second factor for staff, as records' matrix does.
    client = records_client_for(role, world, api=False)
    client.handler = handlers["page"]
    return client


def observed(url: str, api: bool, world, handlers) -> dict:
    """{method: {role: status}} as the app answers now; each request in a rolled-back savepoint,
    with an empty cache, and with the cookies the client had before it."""
    table = {method: {} for method in METHODS}
    for role in ROLES:
        client = client_of(role, world, handlers, api=api)
        cookies = SimpleCookie()
        cookies.update(client.cookies)
        for method in METHODS:
            clear_cache()
            with transaction.atomic():
                if method == "GET":
                    response = client.get(url)
                else:
                    response = getattr(client, method.lower())(url, {}, **({"format": "json"} if api else {}))
                transaction.set_rollback(True)
            # A sign-out answer drops the session cookie; the next cell starts signed in again.
            client.cookies = SimpleCookie()
            client.cookies.update(cookies)
            table[method][role] = response.status_code
    return table


def test_every_url_of_the_project_has_an_entry_and_every_entry_a_url():
    project = set(project_url_patterns())
    records = set(RECORDS_EXPECTED)
    ours = set(all_expected())
    assert ours & records == set(), "URLs in both this table and records'"
    assert project - (ours | records) == set(), "URLs without an entry in either permission matrix"
    assert (ours | records) - project == set(), "entries for URLs that no longer exist"
    assert {name for name, _ in records_url_patterns()} <= records, "records URLs outside records' table"


def test_every_admin_model_has_an_entry():
    """A model registered in the admin later, whose patterns are not yet known here, fails too."""

    registered = {f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry}
    assert registered == set(ADMIN_MODELS)


@pytest.mark.parametrize("key", sorted(all_expected()))
def test_permission_matrix(key, world, handlers):
    patterns = project_url_patterns()
    assert key in patterns, f"{key} is in the table but not among the URLs"
    pattern, route = patterns[key]
    mismatches = []
    for url, expected in cases_for(key, pattern, route, world):
        got = observed(url, is_api(route), world, handlers)
        mismatches += [
            f"{url} {method} {role}: expected {expected[method][role]}, got {got[method][role]}"
            for method in METHODS
            for role in ROLES
            if got[method][role] != expected[method][role]
        ]
    assert mismatches == []


# Staff who stopped at the password

# A staff user who passed the password but not the second factor. Pages: they may open only the
# second-factor step and sign out (what those answer to GET and an empty POST); every other page
# sends them to the code step. API, with that browser session: only what is open to anyone, the
# account's own summary (which says the factor is missing) and the API's description; anything
# else is a 403, on every method.
SECOND_FACTOR_STEP_PAGES = {
    "accounts:mfa_verify": {"GET": 200, "POST": 200},
    # Already enrolled: the page says so; an empty POST sends back to it.
    "accounts:mfa_setup": {"GET": 200, "POST": 302},
    "accounts:logout": {"GET": 405, "POST": 302},
}
# A session that owes its second factor authenticates nowhere on the API (403
# second_factor_required, accounts.api.authentication), the schema, the docs and auth/me included;
# only the health check and the token endpoints, which take no session, answer.
SECOND_FACTOR_STEP_API = {
    "api-health": {"GET": 200},
    "api-auth-token": {"POST": 400},
    "api-auth-token-mfa": {"POST": 400},
    "api-auth-token-refresh": {"POST": 400},
    "api-auth-logout": {"POST": 400},
}
ARGUMENT_PLACEHOLDERS = {"int": 1, "string": "x", "path": "x", "slug": "x"}


def placeholder_url(key: str, pattern: URLPattern, route: str) -> str:
    """A URL of the pattern with made-up arguments: the second-factor checks answer before any view
    looks them up."""
    if route == "/admin/(?P<url>.*)$":
        return "/admin/no-such-page/"
    if key == "admin:app_list":
        return reverse(key, kwargs={"app_label": "accounts"})
    if key.startswith("/"):
        return route.replace("<path:object_id>", "1")
    kwargs = {}
    for argument, converter in pattern.pattern.converters.items():
        name = type(converter).__name__.replace("Converter", "").lower()
        kwargs[argument] = "notes" if argument == "record_type_name" else ARGUMENT_PLACEHOLDERS[name]
    return reverse(key, kwargs=kwargs)


@pytest.fixture
def password_only_doctor(make_user, handlers):
    """A browser session of a doctor with an authenticator, signed in with the password only."""

    doctor = make_user(DOCTOR)
    TOTPDevice.objects.create(user=doctor, name="phone", confirmed=True)
    client = Client()
    client.handler = handlers["page"]
    client.force_login(doctor)
    return client


def request_in_savepoint(client, method: str, url: str, **kwargs):
    cookies = SimpleCookie()
    cookies.update(client.cookies)
    clear_cache()
    with transaction.atomic():
        response = client.get(url) if method == "GET" else getattr(client, method.lower())(url, {}, **kwargs)
        transaction.set_rollback(True)
    client.cookies = SimpleCookie()
    client.cookies.update(cookies)
    return response


def test_staff_without_the_second_factor_reach_only_the_second_factor_step(password_only_doctor):
    """Every page of the project, records' included, by GET and POST."""
    verify_step = reverse("accounts:mfa_verify")
    mismatches = []
    for key, (pattern, route) in sorted(project_url_patterns().items()):
        if is_api(route):
            continue
        url = placeholder_url(key, pattern, route)
        for method in ("GET", "POST"):
            response = request_in_savepoint(password_only_doctor, method, url)
            if key in SECOND_FACTOR_STEP_PAGES:
                if response.status_code != SECOND_FACTOR_STEP_PAGES[key][method]:
                    mismatches.append(f"{method} {url}: {response.status_code}")
            elif response.status_code != 302 or not response["Location"].startswith(verify_step):
                mismatches.append(f"{method} {url}: {response.status_code} {response.get('Location', '')}")
    assert mismatches == []


def test_staff_without_the_second_factor_get_nothing_else_from_the_api(password_only_doctor):
    """Every API URL of the project, records' included, by every method, with that session."""
    mismatches = []
    for key, (pattern, route) in sorted(project_url_patterns().items()):
        if not is_api(route):
            continue
        url = placeholder_url(key, pattern, route)
        for method in METHODS:
            expected = SECOND_FACTOR_STEP_API[key].get(method, 405) if key in SECOND_FACTOR_STEP_API else 403
            response = request_in_savepoint(password_only_doctor, method, url, content_type="application/json")
            if response.status_code != expected:
                mismatches.append(f"{method} {url}: expected {expected}, got {response.status_code}")
    assert mismatches == []


def test_staff_past_the_second_factor_use_the_sessions_api_from_the_browser(make_user, handlers):
    doctor = make_user(DOCTOR)
    client = records_client_for(DOCTOR, {"users": {DOCTOR: doctor}}, api=False)
    client.handler = handlers["page"]

    response = client.get(reverse("api-auth-sessions"))

    assert response.status_code == 200
    assert [session["current"] for session in response.json()] == [True]


# A rule empty bodies cannot reach

# With an empty body the matrix stops at validation (400) for the roles that may amend notes at
# all; which kind of note a role may amend is checked after it, so it is proved here with a body.


@pytest.mark.parametrize(("author_role", "expected"), [(NURSE, 403), (DOCTOR, 201)])
def test_only_doctors_amend_a_signed_physician_note(author_role, expected, make_user):
    receptionist, doctor, nurse = make_user(RECEPTIONIST), make_user(DOCTOR), make_user(NURSE)
    patient = register_patient(actor=receptionist)
    for member, team_role in ((doctor, "doctor"), (nurse, "nurse")):
        services.care_team_add(actor=receptionist, patient_id=patient.pk, member=member, team_role=team_role)
    draft = services.record_create(
        actor=doctor, patient_id=patient.pk, record_type_name="notes", data={"kind": "physician", "body": "Signed"}
    )
    signed = services.note_sign(actor=doctor, patient_id=patient.pk, note_id=draft.pk)
    author = {NURSE: nurse, DOCTOR: doctor}[author_role]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_issue(user=author, mfa=True)['access']}")

    response = client.post(
        reverse("records-api:note-amend", kwargs={"patient_id": patient.pk, "record_id": signed.pk}),
        {"body": "Correction: the dose was 100 mcg, not 200 mcg."},
        format="json",
    )

    assert response.status_code == expected
    assert ClinicalNote.objects.filter(amends=signed).count() == (1 if expected == 201 else 0)
