"""The records API: the same rules as the services, seen from HTTP.

It asks staff for the second factor, whichever way they authenticate: the `mfa` claim of an
access token, or a verified session. Patients read their own record with a password."""

import re

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.services.tokens import token_pair_issue
from audit.models import AuditEvent
from records.api.serializers import PATIENT_PAGE_MAX
from records.models import ClinicalNote, Observation, Patient
from records.tests.factories import add_to_care_team, patient_data, register_patient

pytestmark = pytest.mark.django_db

REASON = "The patient collapsed in the waiting room and needs urgent assessment."


def as_json(data):
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in data.items()}


def test_a_receptionist_registers_and_finds_a_patient(jwt_client, receptionist):
    client = jwt_client(receptionist)
    response = client.post("/api/v1/patients/", as_json(patient_data(family_name="Fictionova")), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["mrn"].startswith("MRN") and body["family_name"] == "Fictionova"

    found = client.post(
        "/api/v1/patients/search/", {"family_name": "FICTIONOVA", "page_size": 10}, format="json"
    ).json()
    assert found["count"] == 1 and found["results"][0]["id"] == body["id"]
    event = AuditEvent.objects.filter(action="patient.search").latest("id")
    assert event.details["patient_ids"] == [body["id"]]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mrn", "MRN00000001", "This field is read-only."),
        ("id", 5, "This field is read-only."),
        ("is_vip", True, "Unknown field."),
        ("user", 1, "Unknown field."),
    ],
)
def test_unknown_and_read_only_fields_are_refused_with_400(jwt_client, receptionist, field, value, message):
    data = as_json(patient_data())
    data[field] = value
    response = jwt_client(receptionist).post("/api/v1/patients/", data, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"][field] == [message]
    assert Patient.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("date_of_birth", "1980-02-31"), ("sex", "robot"), ("email", "not-an-email"), ("given_name", "")],
)
def test_invalid_demographics_are_a_400_and_nothing_is_stored(jwt_client, receptionist, field, value):
    data = as_json(patient_data())
    data[field] = value
    response = jwt_client(receptionist).post("/api/v1/patients/", data, format="json")
    assert response.status_code == 400 and field in response.json()["error"]["details"]
    assert Patient.objects.count() == 0


def test_search_with_an_invalid_date_or_page_is_a_400(jwt_client, receptionist):
    client = jwt_client(receptionist)
    search = "/api/v1/patients/search/"
    assert client.post(search, {"date_of_birth": "31/12/1980"}, format="json").status_code == 400
    assert client.post(search, {"page_size": 1000}, format="json").status_code == 400
    assert client.post(search, {"shoe_size": 9}, format="json").status_code == 400
    # Identifiers never travel in URLs: the list refuses them.
    refused = client.get("/api/v1/patients/", {"family_name": "Anyone"})
    assert refused.status_code == 400 and refused.json()["error"]["details"]["family_name"] == ["Unknown field."]


def test_outside_the_care_team_every_method_is_the_same_404_as_a_missing_patient(
    jwt_client, other_doctor, doctor, patient
):
    note = ClinicalNote.objects.create(patient=patient, author=doctor, kind="physician", body="x")
    missing = patient.pk + 1000
    client = jwt_client(other_doctor)
    for method in ("get", "put", "patch", "delete", "post"):
        for template in (
            "/api/v1/patients/{}/",
            "/api/v1/patients/{}/chart/",
            "/api/v1/patients/{}/notes/",
            "/api/v1/patients/{}/notes/" + str(note.pk) + "/",
            "/api/v1/patients/{}/documents/",
            "/api/v1/patients/{}/care-team/",
        ):
            seen = getattr(client, method)(template.format(patient.pk), {}, format="json")
            unseen = getattr(client, method)(template.format(missing), {}, format="json")
            assert seen.status_code == unseen.status_code == 404, (method, template, seen.status_code)
            assert {k: v for k, v in seen.json()["error"].items() if k != "request_id"} == {
                k: v for k, v in unseen.json()["error"].items() if k != "request_id"
            }


def test_a_doctor_writes_and_signs_a_note_with_a_jwt_and_auditlog_knows_who(jwt_client, doctor, patient):
    client = jwt_client(doctor)
    created = client.post(
        f"/api/v1/patients/{patient.pk}/notes/", {"kind": "physician", "body": "Chest clear."}, format="json"
    )
    assert created.status_code == 201, created.json()
    note_id = created.json()["id"]
    signed = client.post(f"/api/v1/patients/{patient.pk}/notes/{note_id}/sign/")
    assert signed.json()["status"] == "signed"
    refused = client.patch(f"/api/v1/patients/{patient.pk}/notes/{note_id}/", {"body": "Edited"}, format="json")
    assert refused.status_code == 400
    amended = client.post(
        f"/api/v1/patients/{patient.pk}/notes/{note_id}/amendments/", {"body": "Add: mild wheeze."}, format="json"
    )
    assert amended.status_code == 201 and amended.json()["amends"] == note_id

    entries = LogEntry.objects.filter(object_pk=str(note_id), content_type__model="clinicalnote")
    assert entries and all(entry.actor_id == doctor.pk for entry in entries)
    assert all(entry.remote_addr == "127.0.0.1" for entry in entries)
    assert "Chest clear." not in str([entry.changes for entry in entries])


def test_fields_the_author_may_not_set_are_refused(jwt_client, doctor, nurse, patient):
    response = jwt_client(nurse).post(
        f"/api/v1/patients/{patient.pk}/notes/",
        {"kind": "nursing", "body": "x", "author": doctor.pk, "status": "signed"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"author", "status"}
    response = jwt_client(nurse).post(
        f"/api/v1/patients/{patient.pk}/observations/",
        {"code": "8867-4", "name": "HR", "value": "200", "observed_at": "2026-01-01T10:00:00Z", "abnormal": False},
        format="json",
    )
    assert response.status_code == 400 and "abnormal" in response.json()["error"]["details"]


def test_another_patients_ids_in_nested_urls_and_bodies_are_refused(jwt_client, doctor, receptionist, patient):
    other = register_patient(actor=receptionist)
    add_to_care_team(other, doctor, actor=receptionist)
    client = jwt_client(doctor)
    other_encounter = client.post(
        f"/api/v1/patients/{other.pk}/encounters/",
        {"occurred_at": "2026-01-01T10:00:00Z", "kind": "office_visit", "reason": "Check-up"},
        format="json",
    ).json()["id"]
    wrong_body = client.post(
        f"/api/v1/patients/{patient.pk}/notes/",
        {"kind": "physician", "body": "x", "encounter": other_encounter},
        format="json",
    )
    assert wrong_body.status_code == 400 and "encounter" in wrong_body.json()["error"]["details"]
    assert client.get(f"/api/v1/patients/{patient.pk}/encounters/{other_encounter}/").status_code == 404


def test_roles_that_may_not_write_get_403_on_a_patient_they_see(jwt_client, nurse, receptionist, patient):
    prescription = {
        "drug": "Amoxicillin",
        "dose": "500 mg",
        "route": "oral",
        "frequency": "tds",
        "start_date": "2026-01-01",
    }
    assert (
        jwt_client(nurse).post(f"/api/v1/patients/{patient.pk}/medications/", prescription, format="json").status_code
        == 403
    )
    assert jwt_client(receptionist).get(f"/api/v1/patients/{patient.pk}/notes/").status_code == 403


def test_break_the_glass_through_the_api(
    jwt_client, other_doctor, compliance, patient, django_capture_on_commit_callbacks
):
    client = jwt_client(other_doctor)
    assert client.get(f"/api/v1/patients/{patient.pk}/chart/").status_code == 404
    short = client.post("/api/v1/break-glass/", {"mrn": patient.mrn, "reason": "urgent"}, format="json")
    assert short.status_code == 400 and "reason" in short.json()["error"]["details"]
    with django_capture_on_commit_callbacks(execute=True):
        opened = client.post("/api/v1/break-glass/", {"mrn": patient.mrn, "reason": REASON}, format="json")
    assert opened.status_code == 201
    chart = client.get(f"/api/v1/patients/{patient.pk}/chart/").json()
    assert chart["purpose"] == "break_the_glass" and chart["break_glass_expires_at"]
    assert len(mail.outbox) == 1
    assert client.get("/api/v1/break-glass/").status_code == 403
    review_client = jwt_client(compliance)
    pending = review_client.get("/api/v1/break-glass/", {"review_status": "pending"}).json()
    assert [access["id"] for access in pending] == [opened.json()["id"]]
    assert pending[0]["reason"] == REASON
    reviewed = review_client.post(
        f"/api/v1/break-glass/{opened.json()['id']}/review/", {"decision": "justified"}, format="json"
    )
    assert reviewed.json()["review_status"] == "justified"


def _bearer(user, *, mfa: bool) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_pair_issue(user=user, mfa=mfa)['access']}")
    return client


def test_a_doctor_token_issued_after_the_code_step_reads_the_chart(doctor, patient):
    response = _bearer(doctor, mfa=True).get(f"/api/v1/patients/{patient.pk}/")
    assert response.status_code == 200


def test_a_doctor_token_without_the_second_factor_is_refused(doctor, patient):
    client = _bearer(doctor, mfa=False)
    for url in (f"/api/v1/patients/{patient.pk}/", "/api/v1/patients/"):
        response = client.get(url)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
        assert patient.family_name not in response.content.decode()


def test_a_doctor_session_that_stopped_at_the_password_is_refused(doctor, patient):
    client = APIClient()
    client.force_login(doctor)
    assert client.get(f"/api/v1/patients/{patient.pk}/").status_code == 403


def test_a_patient_reads_their_own_record_with_a_password_only_token(patient_user, patient):
    response = _bearer(patient_user, mfa=False).get(f"/api/v1/patients/{patient.pk}/")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "page", [9223372036854775807, 9223372036854775808, 10**30, "99999999999999999999999999999999999999"]
)
def test_a_page_no_database_can_reach_is_a_400_in_the_error_shape(jwt_client, receptionist, page):
    """GET /api/v1/patients/?page=9223372036854775807 answered 500: the offset overflowed in the
    database driver (SQLite: OverflowError; PostgreSQL: bigint out of range)."""
    client = jwt_client(receptionist)
    for response in (
        client.get("/api/v1/patients/", {"page": page}),
        client.post("/api/v1/patients/search/", {"page": page}, format="json"),
        client.post("/api/v1/patients/search/", {"family_name": "Anyone", "page": page}, format="json"),
    ):
        assert response.status_code == 400, response.content
        error = response.json()["error"]
        assert error["code"] == "invalid" and list(error["details"]) == ["page"]


@pytest.mark.parametrize(("field", "value"), [("page", 0), ("page", -1), ("page_size", 0), ("page_size", 101)])
def test_page_and_page_size_below_or_above_their_bounds_are_a_400(jwt_client, receptionist, field, value):
    client = jwt_client(receptionist)
    for response in (
        client.get("/api/v1/patients/", {field: value}),
        client.post("/api/v1/patients/search/", {field: value}, format="json"),
    ):
        assert response.status_code == 400 and list(response.json()["error"]["details"]) == [field]


def test_the_last_page_allowed_answers_an_empty_page(jwt_client, receptionist, patient):
    client = jwt_client(receptionist)
    last = PATIENT_PAGE_MAX
    listed = client.get("/api/v1/patients/", {"page": last, "page_size": 100})
    assert listed.status_code == 200 and listed.json() == {
        "count": 1,
        "page": last,
        "page_size": 100,
        "results": [],
    }
    searched = client.post("/api/v1/patients/search/", {"page": last, "page_size": 100}, format="json")
    assert searched.status_code == 200 and searched.json()["results"] == []
    assert client.get("/api/v1/patients/", {"page": last + 1}).status_code == 400


NON_FINITE_VALUES = ["NaN", "sNaN", "-NaN", "nan", "Infinity", "-Infinity", "inf", "1e999", "-1E+999"]


@pytest.mark.parametrize("value", NON_FINITE_VALUES)
def test_a_non_finite_observation_value_is_a_field_error_and_nothing_changes(jwt_client, nurse, patient, value):
    """POST .../observations/ {"value": "NaN", "reference_low": "60", ...} answered 500: Decimal("NaN")
    parsed, then the comparison with the range raised InvalidOperation."""
    client = jwt_client(nurse)
    url = f"/api/v1/patients/{patient.pk}/observations/"
    observation = {
        "code": "8867-4",
        "name": "Heart rate",
        "value": value,
        "reference_low": "60",
        "reference_high": "100",
        "observed_at": "2026-01-01T10:00:00Z",
    }
    created = client.post(url, observation, format="json")
    assert created.status_code == 400, created.content
    assert list(created.json()["error"]["details"]) == ["value"]
    assert not Observation.objects.filter(patient=patient).exists()

    stored = client.post(url, {**observation, "value": "72"}, format="json").json()
    changed = client.patch(f"{url}{stored['id']}/", {"value": value}, format="json")
    assert changed.status_code == 400 and list(changed.json()["error"]["details"]) == ["value"]
    assert Observation.objects.get(pk=stored["id"]).value == "72"


@pytest.mark.parametrize("low", [60, 60.5, True, ["60"]])
def test_a_decimal_is_a_json_string_as_the_schema_says(jwt_client, nurse, patient, low):
    """The schema declares reference ranges `type: string, format: decimal`; a JSON number was taken
    too (schemathesis: a request the schema refuses was accepted)."""
    client = jwt_client(nurse)
    url = f"/api/v1/patients/{patient.pk}/observations/"
    observation = {"code": "8867-4", "name": "Heart rate", "value": "72", "observed_at": "2026-01-01T10:00:00Z"}
    refused = client.post(url, {**observation, "reference_low": low}, format="json")
    assert refused.status_code == 400, refused.content
    assert list(refused.json()["error"]["details"]) == ["reference_low"]
    assert not Observation.objects.filter(patient=patient).exists()
    stored = client.post(url, {**observation, "reference_low": "60.5"}, format="json")
    assert stored.status_code == 201, stored.content
    assert stored.json()["reference_low"] == "60.5000"


# Literals and savepoint names ("s140_x16"), which differ between runs of the same statement.
LITERALS = re.compile(r"'(?:[^']|'')*'|\"s\d+_x\d+\"|\b\d+(?:\.\d+)?\b|\bNULL\b|\b(?:TRUE|FALSE|true|false)\b")


def sql_shapes(captured) -> list[str]:
    """The statements run, each with its literals (ids, numbers, strings, NULL) and savepoint names
    replaced by ?."""
    return [LITERALS.sub("?", query["sql"]) for query in captured.captured_queries]


@pytest.mark.parametrize("template", ["/api/v1/patients/{}/", "/api/v1/patients/{}/chart/"])
def test_a_hidden_patient_and_a_missing_id_run_the_same_sql(jwt_client, other_doctor, patient, template):
    """The same work on both paths, so that time does not tell them apart: before, only the hidden
    patient wrote a denied access event (about 18.9 ms against 10.8 ms for a missing id)."""
    client = jwt_client(other_doctor)
    missing = patient.pk + 1000
    client.get(template.format(missing))
    shapes = {}
    for kind, patient_id in (("hidden", patient.pk), ("missing", missing)):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(template.format(patient_id))
        assert response.status_code == 404
        shapes[kind] = sql_shapes(captured)
    assert shapes["hidden"] == shapes["missing"]
    assert any(shape.startswith('INSERT INTO "audit_auditevent"') for shape in shapes["missing"])


def test_a_missing_id_is_a_denied_access_event_that_claims_no_patient(jwt_client, other_doctor, patient):
    missing = patient.pk + 1000
    client = jwt_client(other_doctor)
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    assert client.get(f"/api/v1/patients/{missing}/chart/").status_code == 404
    (event,) = AuditEvent.objects.exclude(pk__in=before)
    assert event.outcome == AuditEvent.Outcome.DENIED and event.action == "chart.read"
    assert event.patient_id is None and event.details == {"requested_patient_id": missing}
    assert event.actor_id == other_doctor.pk


@pytest.mark.parametrize("role", ["receptionist", "patient_user"])
def test_signing_tells_a_caller_who_may_not_write_notes_nothing_about_the_note(
    request, jwt_client, verified, doctor, patient, role
):
    """POST .../notes/{id}/sign/ answered a receptionist (or the patient) 403 for a draft, 400 "This
    note is already signed." for a signed note and 404 for a missing id: whether a note exists and
    whether it is signed. The permission is checked first now: 403 for all three."""
    user = request.getfixturevalue(role)
    draft = ClinicalNote.objects.create(patient=patient, author=doctor, kind="physician", body="Draft")
    signed = ClinicalNote.objects.create(patient=patient, author=doctor, kind="physician", body="Signed")
    signed.status = ClinicalNote.Status.SIGNED
    signed.save(update_fields=["status"])
    note_ids = {"draft": draft.pk, "signed": signed.pk, "missing": signed.pk + 1000}
    api, page = jwt_client(user), verified(user)
    answers = {}
    for kind, note_id in note_ids.items():
        response = api.post(f"/api/v1/patients/{patient.pk}/notes/{note_id}/sign/")
        error = {key: value for key, value in response.json()["error"].items() if key != "request_id"}
        page_response = page.post(f"/patients/{patient.pk}/notes/{note_id}/sign/")
        answers[kind] = (response.status_code, error, page_response.status_code)
    assert answers["draft"] == answers["signed"] == answers["missing"], answers
    assert answers["draft"][0] == 403 and answers["draft"][2] == 403
    assert ClinicalNote.objects.get(pk=draft.pk).status == ClinicalNote.Status.DRAFT
