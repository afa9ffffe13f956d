"""The permission matrix: every URL pattern of the records app (pages, portal and API), by role and
method, against the declared table below. A records URL without an entry fails the test, and
so does an entry whose URL no longer exists.

Roles: anonymous; admin; compliance; receptionist; doctor and nurse on the patient's care team;
outsider (a doctor who is not); patient (the record's own). Each request runs in a savepoint
that is rolled back, so every cell starts from the same data. Requests carry an empty body: a
role that may act gets past the access checks to validation (400 for the API, the form again
for pages) or to the action itself.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.services.tokens import token_pair_issue
from records import services
from records.models import CareTeamMembership, ClinicalNote, Document
from records.tests.factories import register_patient

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "admin", "compliance", "receptionist", "doctor", "nurse", "outsider", "patient")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
SEES_PATIENT = ("receptionist", "doctor", "nurse", "patient")
HIDDEN_FROM = ("admin", "compliance", "outsider")


def patient_scoped(anonymous: int, **methods: dict) -> dict:
    """A URL about one patient: anonymous gets `anonymous`; roles that cannot see the patient get
    404 on every method; roles that can see it get what `methods` says, 405 for other methods.
    In `methods`, a role left out gets 403."""
    table = {}
    for method in METHODS:
        row = {"anonymous": anonymous}
        row.update({role: 404 for role in HIDDEN_FROM})
        given = methods.get(method.lower())
        for role in SEES_PATIENT:
            row[role] = 405 if given is None else given.get(role, 403)
        table[method] = row
    return table


def role_gated(anonymous: int, allowed_methods: dict, *, api: bool = False) -> dict:
    """A URL not about one patient. `allowed_methods`: method → {role: status}; roles left out get
    403; methods left out get 405 for roles that have any method (for the API: for every signed-in
    role, as DRF checks the method before the view's role check), else 403. The outsider is a
    doctor like any other here."""
    allowed_methods = {
        method: {**statuses, **({"outsider": statuses["doctor"]} if "doctor" in statuses else {})}
        for method, statuses in allowed_methods.items()
    }
    roles_with_access = {role for statuses in allowed_methods.values() for role in statuses}
    table = {}
    for method in METHODS:
        row = {"anonymous": anonymous}
        given = allowed_methods.get(method.lower())
        for role in ROLES[1:]:
            if given is not None and role in given:
                row[role] = given[role]
            elif api:
                row[role] = 405 if given is None else 403
            elif role in roles_with_access:
                row[role] = 405
            else:
                row[role] = 403
        table[method] = row
    return table


API_READERS = {"doctor": 200, "nurse": 200, "patient": 200}
# Patients read signed notes only; the note in the matrix is a draft.
DRAFT_NOTE_READERS = {"doctor": 200, "nurse": 200, "patient": 404}
CLINICAL_API = {
    # name: (who may create → 400 on an empty body, who may PATCH → 200 on an empty body)
    "encounters": ({"doctor": 400}, {"doctor": 200}),
    "notes": ({"doctor": 400, "nurse": 400}, {"doctor": 200}),
    "conditions": ({"doctor": 400}, {"doctor": 200}),
    "medications": ({"doctor": 400}, {"doctor": 200}),
    "allergies": ({"doctor": 400, "nurse": 400}, {"doctor": 200, "nurse": 200}),
    "observations": ({"doctor": 400, "nurse": 400}, {"doctor": 200, "nurse": 200}),
    "appointments": ({"receptionist": 400}, {"receptionist": 200}),
}

EXPECTED = {
    # The API.
    "records-api:patient-list": role_gated(
        401,
        {
            "get": {role: 200 for role in ROLES[1:]},
            "post": {"receptionist": 400},
        },
        api=True,
    ),
    "records-api:patient-search": role_gated(401, {"post": {role: 200 for role in ROLES[1:]}}, api=True),
    "records-api:patient-detail": patient_scoped(
        401, get={role: 200 for role in SEES_PATIENT}, patch={"receptionist": 200}
    ),
    "records-api:patient-chart": patient_scoped(401, get={role: 200 for role in SEES_PATIENT}),
    "records-api:care-team": patient_scoped(
        401,
        get={"receptionist": 200, "doctor": 200, "nurse": 200},
        post={"receptionist": 400, "doctor": 400},
    ),
    "records-api:care-team-end": patient_scoped(401, post={"receptionist": 200, "doctor": 200}),
    "records-api:document-list": patient_scoped(401, get=API_READERS, post={"doctor": 400, "nurse": 400}),
    "records-api:document-detail": patient_scoped(401, delete={"doctor": 204}),
    "records-api:document-download": patient_scoped(401, get=API_READERS),
    "records-api:note-sign": patient_scoped(401, post={"doctor": 200}),
    "records-api:note-amend": patient_scoped(401, post={"doctor": 400, "nurse": 400}),
    "records-api:break-glass": role_gated(
        401, {"get": {"compliance": 200}, "post": {"doctor": 400, "nurse": 400}}, api=True
    ),
    "records-api:break-glass-review": role_gated(401, {"post": {"compliance": 400}}, api=True),
    **{
        f"records-api:{name}-list": patient_scoped(
            401,
            get={"receptionist": 200, "doctor": 200, "nurse": 200, "patient": 200}
            if name == "appointments"
            else API_READERS,
            post=create,
        )
        for name, (create, _) in CLINICAL_API.items()
    },
    **{
        f"records-api:{name}-detail": patient_scoped(
            401,
            get={"receptionist": 200, "doctor": 200, "nurse": 200, "patient": 200}
            if name == "appointments"
            else DRAFT_NOTE_READERS
            if name == "notes"
            else API_READERS,
            patch=patch,
        )
        for name, (_, patch) in CLINICAL_API.items()
    },
    # The staff pages.
    "records:search": role_gated(
        302,
        {
            "get": {"receptionist": 200, "doctor": 200, "nurse": 200},
            "post": {"receptionist": 200, "doctor": 200, "nurse": 200},
        },
    ),
    "records:register": role_gated(302, {"get": {"receptionist": 200}, "post": {"receptionist": 200}}),
    "records:appointments-today": role_gated(302, {"get": {"receptionist": 200, "doctor": 200, "nurse": 200}}),
    "records:break-glass": role_gated(
        302, {"get": {"doctor": 200, "nurse": 200}, "post": {"doctor": 200, "nurse": 200}}
    ),
    "records:break-glass-reviews": role_gated(302, {"get": {"compliance": 200}}),
    "records:break-glass-review": role_gated(302, {"post": {"compliance": 302}}),
    "records:chart": patient_scoped(302, get={role: 200 for role in SEES_PATIENT}),
    "records:edit": patient_scoped(302, get={"receptionist": 200}, post={"receptionist": 200}),
    "records:care-team-add": patient_scoped(
        302, get={"receptionist": 200, "doctor": 200}, post={"receptionist": 200, "doctor": 200}
    ),
    "records:care-team-end": patient_scoped(302, post={"receptionist": 302, "doctor": 302}),
    "records:document-upload": patient_scoped(
        302, get={"doctor": 200, "nurse": 200}, post={"doctor": 200, "nurse": 200}
    ),
    "records:document-download": patient_scoped(302, get={"doctor": 200, "nurse": 200, "patient": 200}),
    "records:document-delete": patient_scoped(302, post={"doctor": 302}),
    "records:note-sign": patient_scoped(302, post={"doctor": 302}),
    "records:note-amend": patient_scoped(302, get={"doctor": 200, "nurse": 200}, post={"doctor": 200, "nurse": 200}),
    "records:record-add": patient_scoped(302, get={"doctor": 200, "nurse": 200}, post={"doctor": 200, "nurse": 200}),
    # The note edited is a draft, which its patient does not see.
    "records:record-edit": patient_scoped(
        302, get={"doctor": 200, "patient": 404}, post={"doctor": 200, "patient": 404}
    ),
    # The patient portal.
    "portal:home": role_gated(302, {"get": {"patient": 200}}),
    "portal:access-log": role_gated(302, {"get": {"patient": 200}}),
    "portal:contact": role_gated(302, {"get": {"patient": 200}, "post": {"patient": 200}}),
    "portal:document-download": role_gated(302, {"get": {"patient": 200}}),
}


def records_url_patterns():
    """(namespaced name, pattern) for every URL whose view lives in the records app."""
    found = []

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern):
                module = getattr(entry.callback, "__module__", "")
                view_class = getattr(entry.callback, "view_class", None)
                module = view_class.__module__ if view_class else module
                if module.startswith("records."):
                    found.append((f"{namespace}:{entry.name}", entry))

    walk(get_resolver().url_patterns, None)
    return found


def test_every_records_url_has_an_entry_and_every_entry_a_url():
    names = {name for name, _ in records_url_patterns()}
    assert names - set(EXPECTED) == set(), "records URLs without an entry in the permission matrix"
    assert set(EXPECTED) - names == set(), "entries for URLs that no longer exist"


@pytest.fixture
def world(make_user, django_capture_on_commit_callbacks):
    users = {
        "admin": make_user("admin"),
        "compliance": make_user("compliance"),
        "receptionist": make_user("receptionist"),
        "doctor": make_user("doctor"),
        "nurse": make_user("nurse"),
        "outsider": make_user("doctor"),
        "patient": make_user("patient"),
    }
    patient = register_patient(actor=users["receptionist"])
    patient.user = users["patient"]
    patient.save(update_fields=["user"])
    membership = services.care_team_add(
        actor=users["receptionist"], patient_id=patient.pk, member=users["doctor"], team_role="doctor"
    )
    nurse_membership = services.care_team_add(
        actor=users["receptionist"], patient_id=patient.pk, member=users["nurse"], team_role="nurse"
    )
    doctor = users["doctor"]
    records = {}
    for name, data in {
        "encounters": {"occurred_at": "2026-01-01T10:00:00Z", "kind": "office_visit", "reason": "Visit"},
        "notes": {"kind": "physician", "body": "Draft"},
        "conditions": {"icd10_code": "J45.909", "description": "Asthma"},
        "medications": {
            "drug": "Salbutamol",
            "dose": "100 mcg",
            "route": "inhaled",
            "frequency": "prn",
            "start_date": "2026-01-01",
        },
        "allergies": {"substance": "Latex", "severity": "mild"},
        "observations": {"code": "8867-4", "name": "Heart rate", "value": "70", "observed_at": "2026-01-01T10:00:00Z"},
    }.items():
        parsed = {
            key: (
                parse_datetime(value) if key.endswith("_at") else parse_date(value) if key.endswith("_date") else value
            )
            for key, value in data.items()
        }
        records[name] = services.record_create(actor=doctor, patient_id=patient.pk, record_type_name=name, data=parsed)

    records["appointments"] = services.record_create(
        actor=users["receptionist"],
        patient_id=patient.pk,
        record_type_name="appointments",
        data={
            "clinician": doctor,
            "starts_at": timezone.now(),
            "ends_at": timezone.now() + timezone.timedelta(minutes=20),
        },
    )
    signed = services.note_sign(
        actor=doctor,
        patient_id=patient.pk,
        note_id=services.record_create(
            actor=doctor, patient_id=patient.pk, record_type_name="notes", data={"kind": "physician", "body": "Signed"}
        ).pk,
    )

    document = services.document_upload(
        actor=doctor,
        patient_id=patient.pk,
        title="Scan",
        kind="imaging",
        uploaded_file=SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\nxxxx"),
    )
    access = services.break_glass_open(
        actor=users["outsider"],
        mrn=register_patient(actor=users["receptionist"]).mrn,
        reason="Emergency admission of an unconscious patient, care team unreachable.",
    )
    return {
        "users": users,
        "patient": patient,
        "membership": membership,
        "nurse_membership": nurse_membership,
        "records": records,
        "signed_note": signed,
        "document": document,
        "access": access,
    }


def url_for(name: str, pattern: URLPattern, world, *, membership: str = "membership") -> str:
    kwargs = {}
    converters = pattern.pattern.converters
    for key in converters:
        if key == "patient_id":
            kwargs[key] = world["patient"].pk
        elif key == "membership_id":
            kwargs[key] = world[membership].pk
        elif key == "document_id":
            kwargs[key] = world["document"].pk
        elif key == "access_id":
            kwargs[key] = world["access"].pk
        elif key == "record_type_name":
            kwargs[key] = "notes"
        elif key in ("record_id", "note_id"):
            if name in ("records-api:note-amend", "records:note-amend"):
                kwargs[key] = world["signed_note"].pk
            elif name.startswith("records-api:") and name.endswith("-detail") and name != "records-api:patient-detail":
                kwargs[key] = world["records"][name.split(":")[1].rsplit("-", 1)[0]].pk
            else:
                kwargs[key] = world["records"]["notes"].pk
    return reverse(name, kwargs=kwargs)


def client_for(role: str, world, *, api: bool):
    if role == "anonymous":
        return APIClient() if api else Client()
    user = world["users"][role]
    if api:
        client = APIClient()
        # Issued as the API issues them: after the code step for staff (the `mfa` claim).
        pair = token_pair_issue(user=user, mfa=user.requires_mfa)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
        return client
    client = Client()
    client.force_login(user)
    if role != "patient":
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="matrix", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_permission_matrix(name, world):
    patterns = dict(records_url_patterns())
    assert name in patterns, f"{name} is in the table but not among the URLs"
    url = url_for(name, patterns[name], world)
    api = name.startswith("records-api:")
    mismatches = []
    for role in ROLES:
        client = client_for(role, world, api=api)
        for method in METHODS:
            expected = EXPECTED[name][method][role]
            with transaction.atomic():
                kwargs = {"format": "json"} if api else {}
                response = getattr(client, method.lower())(url, {}, **kwargs) if method != "GET" else client.get(url)
                transaction.set_rollback(True)
            if response.status_code != expected:
                mismatches.append(f"{method} {role}: expected {expected}, got {response.status_code}")
    assert mismatches == [], f"{name} ({url})"
    assert ClinicalNote.objects.filter(patient=world["patient"]).count() == 2
    assert Document.objects.filter(pk=world["document"].pk).exists()


# Ending a colleague's care-team membership: the matrix above ends the doctor's own (allowed to
# them); a doctor may not end the nurse's, only the reception may (records.policies).
OTHER_MEMBERS_MEMBERSHIP = {
    "records-api:care-team-end": patient_scoped(401, post={"receptionist": 200}),
    "records:care-team-end": patient_scoped(302, post={"receptionist": 302}),
}


@pytest.mark.parametrize("name", sorted(OTHER_MEMBERS_MEMBERSHIP))
def test_only_the_reception_ends_another_members_care_team_membership(name, world):
    url = url_for(name, dict(records_url_patterns())[name], world, membership="nurse_membership")
    api = name.startswith("records-api:")
    mismatches = []
    for role in ROLES:
        client = client_for(role, world, api=api)
        for method in METHODS:
            expected = OTHER_MEMBERS_MEMBERSHIP[name][method][role]
            with transaction.atomic():
                kwargs = {"format": "json"} if api else {}
                response = getattr(client, method.lower())(url, {}, **kwargs) if method != "GET" else client.get(url)
                ended = CareTeamMembership.objects.get(pk=world["nurse_membership"].pk).ended_at is not None
                transaction.set_rollback(True)
            if response.status_code != expected:
                mismatches.append(f"{method} {role}: expected {expected}, got {response.status_code}")
            if ended != (role == "receptionist" and method == "POST"):
                mismatches.append(f"{method} {role}: the membership {'ended' if ended else 'did not end'}")
    assert mismatches == [], f"{name} ({url})"
