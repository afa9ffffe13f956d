"""The disclosure pages: recording, the per-patient list, the accounting requests and the portal."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from compliance.models import AccountingRequest, Disclosure
from compliance.services import disclosures as services
from compliance.tests.factories import officer
from records.tests.factories import add_to_care_team, register_patient

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def form(patient, **overrides):
    data = {
        "patient_id": str(patient.pk),
        "disclosed_at": (timezone.now() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "recipient": "Superior Court, County of Example",
        "recipient_address": "100 Court St",
        "description": "Copy of the 2025 discharge summary",
        "purpose": "Court order no. 2026-CV-123",
    }
    data.update(overrides)
    return data


@pytest.fixture
def officer_client(make_user, otp_login):
    user = make_user(Role.COMPLIANCE)
    client = otp_login(user)
    client.officer = user
    return client


def test_an_officer_records_a_disclosure_and_lists_the_patients(officer_client):
    patient = register_patient()
    response = officer_client.post(reverse("compliance:disclosure-new"), form(patient), follow=True)
    assert "recorded for patient" in " ".join(messages_of(response))
    assert "Superior Court, County of Example" in response.content.decode()
    assert Disclosure.objects.get().patient == patient


def test_a_disclosure_dated_in_the_future_is_a_form_error(officer_client):
    patient = register_patient()
    future = (timezone.now() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = officer_client.post(reverse("compliance:disclosure-new"), form(patient, disclosed_at=future))
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert not Disclosure.objects.exists()


def test_a_doctor_outside_the_care_team_gets_the_same_answer_as_for_a_missing_patient(make_user, otp_login):
    doctor = make_user(Role.DOCTOR)
    mine, other = register_patient(), register_patient()
    add_to_care_team(mine, doctor)
    client = otp_login(doctor)
    hidden = client.post(reverse("compliance:disclosure-new"), form(other)).content.decode()
    missing = client.post(reverse("compliance:disclosure-new"), form(other, patient_id="99999999")).content.decode()
    assert "No patient or record with that id." in hidden and "No patient or record with that id." in missing
    assert not Disclosure.objects.exists()
    response = client.post(reverse("compliance:disclosure-new"), form(mine), follow=True)
    assert "recorded for patient" in " ".join(messages_of(response))


def test_accounting_request_extension_twice_is_refused_with_a_message(officer_client):
    patient = register_patient()
    response = officer_client.post(reverse("compliance:accounting-list"), {"patient_id": patient.pk}, follow=True)
    request = AccountingRequest.objects.get()
    assert f"due by {request.due_at:%Y-%m-%d}" in " ".join(messages_of(response))
    reason = {"reason": "The archive with the older records is being retrieved."}
    url = reverse("compliance:accounting-extend", args=[request.pk])
    response = officer_client.post(url, reason, follow=True)
    assert "Deadline extended" in " ".join(messages_of(response))
    response = officer_client.post(url, reason)
    assert response.status_code == 200
    assert "one extension only" in response.content.decode()
    request.refresh_from_db()
    assert request.due_at - request.requested_at == datetime.timedelta(days=90)


def test_the_accounting_page_is_printable_and_lists_the_patients_disclosures(officer_client):
    patient = register_patient()
    services.disclosure_record(
        actor=officer_client.officer,
        patient_id=patient.pk,
        recipient="State Cancer Registry",
        description="Diagnosis and staging",
        purpose="Required by law",
        disclosed_at=timezone.now() - datetime.timedelta(days=30),
    )
    request = services.accounting_request_open(actor=officer_client.officer, patient_id=patient.pk)
    html = officer_client.get(reverse("compliance:accounting-detail", args=[request.pk])).content.decode()
    assert "State Cancer Registry" in html and "Required by law" in html
    response = officer_client.post(reverse("compliance:accounting-produced", args=[request.pk]), follow=True)
    assert "provided to the patient" in " ".join(messages_of(response))


def test_a_patient_sees_their_own_disclosures_in_the_portal_and_requests_an_accounting(client, make_user):
    user = make_user(Role.PATIENT)
    own, other = register_patient(), register_patient()
    own.user = user
    own.save(update_fields=["user"])
    actor = officer()
    for patient, recipient in ((own, "Own Recipient Agency"), (other, "Other Patients Recipient")):
        services.disclosure_record(
            actor=actor,
            patient_id=patient.pk,
            recipient=recipient,
            description="Immunisation record",
            purpose="Public health",
            disclosed_at=timezone.now() - datetime.timedelta(days=2),
        )
    client.force_login(user)
    html = client.get(reverse("portal-disclosures:own")).content.decode()
    assert "Own Recipient Agency" in html and "Other Patients Recipient" not in html
    # A forged patient id in the body is ignored: the request is for the signed-in patient's record.
    response = client.post(reverse("portal-disclosures:request"), {"patient_id": other.pk}, follow=True)
    assert "Your request is recorded" in " ".join(messages_of(response))
    assert list(AccountingRequest.objects.values_list("patient_id", flat=True)) == [own.pk]


def test_a_patient_cannot_open_another_patients_accounting(client, make_user):
    user = make_user(Role.PATIENT)
    other = register_patient()
    request = services.accounting_request_open(actor=officer(), patient_id=other.pk)
    client.force_login(user)
    assert client.get(reverse("compliance:accounting-detail", args=[request.pk])).status_code == 403
    assert client.get(reverse("compliance:disclosure-list", args=[other.pk])).status_code == 403
