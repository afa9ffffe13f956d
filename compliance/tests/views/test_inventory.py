"""The data inventory page and its CSV: compliance officers only, filters, and no formula in a cell."""

import csv
import io
from dataclasses import replace

import pytest
from django.urls import reverse

from accounts.roles import Role
from compliance import inventory
from compliance.inventory import REGISTRY
from compliance.views.inventory import csv_cell

pytestmark = pytest.mark.django_db

PAGE = reverse("compliance:inventory")
CSV = reverse("compliance:inventory-csv")


def _rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_page_shows_every_field_and_the_coverage(verified, compliance_officer):
    response = verified(compliance_officer).get(PAGE)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"{len(REGISTRY)} of {len(REGISTRY)} stored fields are classified" in body
    assert "records.Patient" in body and "otp_totp.TOTPDevice" in body


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ({"app": "records"}, lambda e: e.model.startswith("records.")),
        ({"model": "records.Patient"}, lambda e: e.model == "records.Patient"),
        ({"category": "health_special"}, lambda e: e.category == "health_special"),
        ({"subject": "staff"}, lambda e: e.subject == "staff"),
        ({"erasure": "pseudonymise"}, lambda e: e.erasure == "pseudonymise"),
        ({"export": "yes"}, lambda e: e.export),
        ({"export": "no", "app": "accounts"}, lambda e: not e.export and e.model.startswith("accounts.")),
    ],
)
def test_each_filter_narrows_the_page_and_the_csv_alike(verified, compliance_officer, query, check):
    client = verified(compliance_officer)
    rows = _rows(client.get(CSV, query))
    expected = [entry for entry in REGISTRY if check(entry)]
    assert expected and len(rows) == len(expected)
    assert [(row["Model"], row["Field"]) for row in rows] == [(e.model, e.field) for e in expected]
    assert f"{len(expected)} fields" in client.get(PAGE, query).content.decode()


@pytest.mark.parametrize("query", [{"category": "nonsense"}, {"model": "records.Nope"}, {"export": "maybe"}])
def test_an_unknown_filter_is_a_form_error_or_a_400(verified, compliance_officer, query):
    client = verified(compliance_officer)
    page = client.get(PAGE, query)
    assert page.status_code == 200 and b"There is a problem" in page.content
    assert client.get(CSV, query).status_code == 400


def test_the_csv_is_an_attachment_with_every_column(verified, compliance_officer):
    response = verified(compliance_officer).get(CSV)
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert len(rows) == len(REGISTRY)
    first = rows[0]
    assert set(first) == {
        "Model", "Field", "Category", "Whose data", "Personal data", "Lawful basis", "Purpose",
        "Retention", "In the export", "On erasure", "Description",
    }  # fmt: skip


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tcmd"])
def test_a_cell_that_a_spreadsheet_would_run_is_escaped(value):
    assert csv_cell(value) == "'" + value
    assert csv_cell("records.Patient") == "records.Patient"
    assert csv_cell(True) == "yes"


def test_a_formula_in_an_entry_reaches_the_csv_escaped(verified, compliance_officer, monkeypatch):
    poisoned = replace(REGISTRY[0], description='=HYPERLINK("http://evil.example","x")')
    monkeypatch.setattr(inventory, "REGISTRY", (poisoned, *REGISTRY[1:]))
    monkeypatch.setattr("compliance.selectors.consents.REGISTRY", (poisoned, *REGISTRY[1:]))
    rows = _rows(verified(compliance_officer).get(CSV))
    assert rows[0]["Description"] == "'" + poisoned.description


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DOCTOR, Role.NURSE, Role.RECEPTIONIST, Role.PATIENT])
def test_other_roles_may_not_open_it(verified, make_user, role):
    client = verified(make_user(role))
    assert client.get(PAGE).status_code == 403
    assert client.get(CSV).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(PAGE).status_code == 302
    assert client.get(CSV).status_code == 302
