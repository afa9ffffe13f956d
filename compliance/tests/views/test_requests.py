import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from compliance.models import DataSubjectRequest
from compliance.services import holds as hold_services
from compliance.services import requests as services
from compliance.tests.factories import open_request, patient_with_account, verified_request
from records import services as records_services

pytestmark = pytest.mark.django_db

Status = DataSubjectRequest.Status


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# The portal


def test_a_patient_opens_a_request_and_sees_it_with_its_due_date(page_client, subject):
    _, account = subject
    client = page_client(account)

    response = client.post(reverse("privacy:request-new"), {"kind": "access", "details": "All of it."}, follow=True)

    request = DataSubjectRequest.objects.get()
    assert response.redirect_chain[-1][0] == reverse("privacy:request-detail", args=[request.pk])
    assert f"Request {request.number} received" in messages_of(response)[0]
    page = client.get(reverse("privacy:request-list")).content.decode()
    assert request.number in page and request.due_on.isoformat() in page


def test_a_duplicate_open_request_shows_a_form_error_and_stores_nothing(page_client, subject):
    _, account = subject
    first = open_request(account, kind="erasure")

    response = page_client(account).post(reverse("privacy:request-new"), {"kind": "erasure"})

    assert response.status_code == 200
    assert first.number in response.content.decode()
    assert "already an open request" in response.content.decode()
    assert DataSubjectRequest.objects.count() == 1


def test_an_unknown_kind_is_a_form_error(page_client, subject):
    response = page_client(subject[1]).post(reverse("privacy:request-new"), {"kind": "everything"})
    assert response.status_code == 200 and response.context["form"].errors["kind"]
    assert DataSubjectRequest.objects.count() == 0


def test_a_patient_proposes_corrections_and_the_record_waits_for_review(page_client, subject):
    patient, account = subject
    client = page_client(account)
    form = client.get(reverse("privacy:rectification-new")).context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(family_name="Newname", date_of_birth="1975-02-03", details="Married in June.")

    response = client.post(reverse("privacy:rectification-new"), data, follow=True)

    request = DataSubjectRequest.objects.get()
    assert request.kind == "rectification"
    assert services.proposed_values_of(request) == {
        "family_name": "Newname",
        "date_of_birth": datetime.date(1975, 2, 3),
    }
    assert "Newname" in response.content.decode()
    patient.refresh_from_db()
    assert patient.family_name != "Newname"


def test_a_correction_that_changes_nothing_is_a_form_error(page_client, subject):
    _, account = subject
    client = page_client(account)
    form = client.get(reverse("privacy:rectification-new")).context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    response = client.post(reverse("privacy:rectification-new"), data)
    assert response.status_code == 200 and "recorded" in response.content.decode()
    assert DataSubjectRequest.objects.count() == 0


def test_another_patients_request_is_a_404_like_a_missing_one(page_client, subject, other_subject):
    _, account = subject
    request = open_request(other_subject[1])
    client = page_client(account)
    hidden = client.get(reverse("privacy:request-detail", args=[request.pk]))
    missing = client.get(reverse("privacy:request-detail", args=[request.pk + 1000]))
    assert hidden.status_code == missing.status_code == 404
    assert client.post(reverse("privacy:request-withdraw", args=[request.pk])).status_code == 404
    assert DataSubjectRequest.objects.get(pk=request.pk).status == Status.RECEIVED


def test_a_patient_withdraws_an_open_request_once(page_client, subject):
    _, account = subject
    request = open_request(account)
    client = page_client(account)

    response = client.post(reverse("privacy:request-withdraw", args=[request.pk]), follow=True)
    assert f"Request {request.number} withdrawn." in messages_of(response)
    response = client.post(reverse("privacy:request-withdraw", args=[request.pk]), follow=True)
    assert "closed" in messages_of(response)[0]
    assert DataSubjectRequest.objects.get(pk=request.pk).status == Status.WITHDRAWN


def test_the_patient_sees_the_outcome_and_the_reason(page_client, subject, officer):
    _, account = subject
    request = open_request(account, kind="rectification", proposed_values={"family_name": "A", "phone": "+1 555 1"})
    services.request_verify_identity(actor=officer, request_id=request.pk, method="portal_sign_in_mfa")
    services.rectification_apply(
        actor=officer, request_id=request.pk, fields=["family_name"], reason="That number belongs to someone else."
    )

    page = page_client(account).get(reverse("privacy:request-detail", args=[request.pk])).content.decode()

    assert "Partly applied" in page and "That number belongs to someone else." in page
    assert "Applied" in page and "Not applied" in page


# The compliance officers' pages


def test_the_queue_puts_overdue_requests_first_and_marks_them(page_client, officer):
    with freeze_time("2026-09-01"):
        _, old_account = patient_with_account()
        overdue = open_request(old_account, kind="access")
    _, new_account = patient_with_account()
    fresh = open_request(new_account, kind="erasure")

    response = page_client(officer).get(reverse("compliance:request-queue"))

    rows = response.context["rows"]
    assert [row["dsr"].pk for row in rows] == [overdue.pk, fresh.pk]
    assert [row["overdue"] for row in rows] == [True, False]
    assert "Overdue" in response.content.decode()
    only_overdue = page_client(officer).get(reverse("compliance:request-queue"), {"overdue": "1"}).context["rows"]
    assert [row["dsr"].pk for row in only_overdue] == [overdue.pk]


def test_the_queue_filters_by_status_kind_and_assignee(page_client, officer, other_officer, subject, other_subject):
    first = verified_request(subject[1], officer, kind="access")
    services.request_assign(actor=officer, request_id=first.pk, assignee=other_officer)
    second = open_request(other_subject[1], kind="erasure")
    client = page_client(officer)

    def listed(**query):
        return [row["dsr"].pk for row in client.get(reverse("compliance:request-queue"), query).context["rows"]]

    assert listed() == sorted([first.pk, second.pk])
    assert listed(kind="erasure") == [second.pk]
    assert listed(status="in_progress") == [first.pk]
    assert listed(assignee=str(other_officer.pk)) == [first.pk]
    assert listed(status="completed") == []
    assert listed(status="nonsense", assignee="9" * 40) == sorted([first.pk, second.pk])


def test_the_request_page_shows_identity_but_no_clinical_record(page_client, officer, subject, make_user):
    patient, account = subject
    doctor = make_user("doctor")
    records_services.care_team_add(
        actor=make_user("receptionist"), patient_id=patient.pk, member=doctor, team_role="doctor"
    )
    records_services.record_create(
        actor=doctor,
        patient_id=patient.pk,
        record_type_name="conditions",
        data={"icd10_code": "J45.909", "description": "Asthma-canary-diagnosis"},
    )
    request = open_request(account, details="<script>alert(1)</script>")

    page = page_client(officer).get(reverse("compliance:request-detail", args=[request.pk])).content.decode()

    assert patient.family_name in page and patient.mrn in page
    assert "Asthma-canary-diagnosis" not in page and "J45.909" not in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_an_officer_works_a_request_verify_assign_complete(page_client, officer, other_officer, subject):
    _, account = subject
    request = open_request(account, kind="portability")
    client = page_client(officer)
    detail = reverse("compliance:request-detail", args=[request.pk])

    response = client.post(
        reverse("compliance:request-verify", args=[request.pk]),
        {"verify-method": "portal_sign_in_mfa", "verify-note": ""},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == detail and "Identity verified." in messages_of(response)
    response = client.post(
        reverse("compliance:request-assign", args=[request.pk]), {"assign-assignee": other_officer.pk}, follow=True
    )
    assert "Request assigned." in messages_of(response)
    response = client.post(
        reverse("compliance:request-complete", args=[request.pk]), {"complete-note": ""}, follow=True
    )
    assert "Request completed." in messages_of(response)

    request.refresh_from_db()
    assert (request.status, request.assignee) == (Status.COMPLETED, other_officer)
    history = [event.action for event in response.context["history"]]
    assert history == ["opened", "identity_verified", "assigned", "completed"]


def test_an_extension_beyond_two_months_shows_the_error_and_changes_nothing(page_client, officer, subject):
    _, account = subject
    request = open_request(account)
    services.request_extend(actor=officer, request_id=request.pk, months=2, reason="Very large archive to search.")

    response = page_client(officer).post(
        reverse("compliance:request-extend", args=[request.pk]),
        {"extend-months": "1", "extend-reason": "One more month please."},
    )

    assert response.status_code == 400
    assert "two months at most" in response.content.decode()
    assert DataSubjectRequest.objects.get(pk=request.pk).extension_months == 2


def test_an_extension_without_a_reason_is_a_form_error(page_client, officer, subject):
    request = open_request(subject[1])
    response = page_client(officer).post(
        reverse("compliance:request-extend", args=[request.pk]), {"extend-months": "1", "extend-reason": ""}
    )
    assert response.status_code == 400 and response.context["extend_form"].errors["reason"]
    assert DataSubjectRequest.objects.get(pk=request.pk).due_on == request.due_on


def test_erasure_approval_under_a_legal_hold_is_refused_with_a_message(page_client, officer, subject):
    patient, account = subject
    request = verified_request(account, officer, kind="erasure")
    hold_services.legal_hold_place(actor=officer, patient_id=patient.pk, reason="Litigation: case 2026-114.")

    response = page_client(officer).post(reverse("compliance:request-complete", args=[request.pk]), {})

    assert response.status_code == 400 and "legal hold" in response.content.decode()
    assert DataSubjectRequest.objects.get(pk=request.pk).status == Status.IDENTITY_VERIFIED


def test_an_action_on_a_closed_request_is_refused(page_client, officer, subject):
    _, account = subject
    request = open_request(account)
    services.request_withdraw(actor=account, request_id=request.pk)
    response = page_client(officer).post(
        reverse("compliance:request-refuse", args=[request.pk]), {"refuse-reason": "Not a patient of ours."}
    )
    assert response.status_code == 400 and "closed" in response.content.decode()
    assert DataSubjectRequest.objects.get(pk=request.pk).status == Status.WITHDRAWN


def test_an_officer_applies_selected_corrections_from_the_page(page_client, officer, subject):
    patient, account = subject
    request = open_request(
        account, kind="rectification", proposed_values={"family_name": "Fixed", "email": "new@example.test"}
    )
    services.request_verify_identity(actor=officer, request_id=request.pk, method="portal_sign_in_mfa")

    response = page_client(officer).post(
        reverse("compliance:rectification-apply", args=[request.pk]),
        {"apply-fields": ["family_name"], "apply-reason": "The e-mail address could not be confirmed."},
        follow=True,
    )

    assert "Corrections decided; the patient sees the outcome." in messages_of(response)
    patient.refresh_from_db()
    assert patient.family_name == "Fixed" and patient.email != "new@example.test"


def test_an_officer_records_a_letter_request_by_mrn(page_client, officer, subject):
    patient, _ = subject
    data = {
        "mrn": patient.mrn,
        "kind": "access",
        "channel": "letter",
        "received_on": (datetime.date.today() - datetime.timedelta(days=3)).isoformat(),
        "identity_method": "letter_signature",
        "identity_note": "Signature matched.",
        "details": "",
    }
    client = page_client(officer)

    response = client.post(reverse("compliance:request-new"), data, follow=True)

    request = DataSubjectRequest.objects.get()
    assert (request.patient, request.channel, request.status) == (patient, "letter", Status.IDENTITY_VERIFIED)
    assert f"Request {request.number} recorded" in messages_of(response)[0]
    response = client.post(reverse("compliance:request-new"), {**data, "mrn": "MRN99999999"})
    assert response.context["form"].errors["mrn"] and DataSubjectRequest.objects.count() == 1


def test_a_forged_request_id_is_a_404_for_the_officer(page_client, officer):
    client = page_client(officer)
    assert client.get(reverse("compliance:request-detail", args=[10**6])).status_code == 404
    assert client.post(reverse("compliance:request-complete", args=[10**6])).status_code == 404


def test_an_officer_accepts_a_restriction_and_lifts_it_from_the_page(page_client, officer, subject):
    patient, account = subject
    request = verified_request(account, officer, kind="restriction")
    client = page_client(officer)

    client.post(reverse("compliance:request-complete", args=[request.pk]), {"complete-note": ""})
    patient.refresh_from_db()
    assert patient.processing_restricted
    page = client.get(reverse("compliance:request-detail", args=[request.pk])).content.decode()
    assert "Lift the restriction" in page

    response = client.post(
        reverse("compliance:restriction-lift", args=[request.pk]), {"lift-reason": "Accuracy confirmed by the clinic."}
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert not patient.processing_restricted
    page = client.get(reverse("compliance:request-detail", args=[request.pk])).content.decode()
    assert "Lift the restriction" not in page
