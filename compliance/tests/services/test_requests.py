import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404

from accounts.roles import Role
from audit.models import AuditEvent
from compliance.models import DataSubjectRequest, RequestEvent, add_months
from compliance.services import holds as hold_services
from compliance.services import requests as services
from compliance.tests.factories import open_request, recorded_request, verified_request
from records import policies as records_policies

pytestmark = pytest.mark.django_db

Status = DataSubjectRequest.Status


def actions(request):
    return list(request.events.order_by("id").values_list("action", flat=True))


def test_a_patient_opens_a_request_due_one_month_later_with_its_history_and_audit(subject):
    patient, account = subject

    request = open_request(account, kind="access", details="Everything you hold about me.")

    assert request.status == Status.RECEIVED
    assert request.channel == "portal"
    assert request.due_on == add_months(request.received_on, 1)
    assert actions(request) == ["opened"]
    event = AuditEvent.objects.filter(action="dsr.opened").get()
    assert (event.patient_id, event.actor_id, event.purpose) == (patient.pk, account.pk, "self")


def test_add_months_keeps_to_the_end_of_a_shorter_month():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2026, 3, 15), 1) == datetime.date(2026, 4, 15)


def test_a_duplicate_open_request_is_refused_and_stores_nothing(subject):
    _, account = subject
    first = open_request(account, kind="erasure")

    with pytest.raises(ValidationError) as refused:
        open_request(account, kind="erasure")

    assert first.number in str(refused.value)
    assert DataSubjectRequest.objects.count() == 1
    open_request(account, kind="access")  # another kind is another request
    services.request_withdraw(actor=account, request_id=first.pk)
    open_request(account, kind="erasure")  # once the first is closed, a new one is welcome
    assert DataSubjectRequest.objects.filter(kind="erasure").count() == 2


def test_the_database_refuses_a_second_open_request_of_a_kind(subject, officer):
    """The service checks first; the partial unique constraint holds if two requests race."""
    patient, account = subject
    first = open_request(account, kind="objection")
    duplicate = DataSubjectRequest(
        patient=patient,
        kind="objection",
        channel="letter",
        received_on=first.received_on,
        due_on=first.due_on,
        opened_by=officer,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_only_patients_with_a_record_open_requests_in_the_portal(make_user, officer):
    with pytest.raises(PermissionDenied):
        services.request_open(actor=officer, kind="access")
    with pytest.raises(Http404):
        services.request_open(actor=make_user(Role.PATIENT), kind="access")


def test_an_officer_records_a_letter_with_the_identity_check(officer, subject):
    patient, _ = subject
    received = datetime.date.today() - datetime.timedelta(days=10)

    request = recorded_request(officer, patient, kind="erasure", received_on=received)

    assert request.status == Status.IDENTITY_VERIFIED
    assert (request.identity_method, request.identity_verified_by) == ("letter_signature", officer)
    assert request.due_on == add_months(received, 1)
    assert actions(request) == ["opened", "identity_verified"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("received_on", datetime.date.today() + datetime.timedelta(days=1)),
        ("channel", "portal"),
        ("identity_method", "a guess"),
    ],
)
def test_a_recorded_request_needs_a_past_receipt_an_offline_channel_and_a_real_identity_check(
    officer, subject, field, value
):
    patient, _ = subject
    arguments = {
        "kind": "access",
        "channel": "desk",
        "received_on": datetime.date.today(),
        "identity_method": "photo_id_desk",
        field: value,
    }
    with pytest.raises(ValidationError):
        services.request_record(actor=officer, patient_id=patient.pk, **arguments)
    assert DataSubjectRequest.objects.count() == 0


def test_a_receptionist_cannot_record_or_work_requests(receptionist, subject, officer):
    patient, account = subject
    request = open_request(account)
    with pytest.raises(PermissionDenied):
        recorded_request(receptionist, patient)
    for step in (
        lambda: services.request_verify_identity(actor=receptionist, request_id=request.pk, method="photo_id_desk"),
        lambda: services.request_assign(actor=receptionist, request_id=request.pk, assignee=officer),
        lambda: services.request_complete(actor=receptionist, request_id=request.pk),
        lambda: services.request_refuse(actor=receptionist, request_id=request.pk, reason="Not our patient at all."),
    ):
        with pytest.raises(PermissionDenied):
            step()
    assert actions(request) == ["opened"]


def test_verify_then_assign_moves_the_request_in_progress(subject, officer, other_officer):
    _, account = subject
    request = open_request(account)

    services.request_verify_identity(actor=officer, request_id=request.pk, method="portal_sign_in_mfa")
    request = services.request_assign(actor=officer, request_id=request.pk, assignee=other_officer)

    assert request.status == Status.IN_PROGRESS
    assert request.assignee == other_officer
    assert actions(request) == ["opened", "identity_verified", "assigned"]
    with pytest.raises(ValidationError):
        services.request_verify_identity(actor=officer, request_id=request.pk, method="photo_id_desk")


def test_requests_are_assigned_to_compliance_officers_only(subject, officer, receptionist):
    _, account = subject
    request = open_request(account)
    with pytest.raises(ValidationError):
        services.request_assign(actor=officer, request_id=request.pk, assignee=receptionist)
    assert DataSubjectRequest.objects.get(pk=request.pk).assignee is None


def test_an_identity_check_described_as_other_needs_a_note(subject, officer):
    _, account = subject
    request = open_request(account)
    with pytest.raises(ValidationError):
        services.request_verify_identity(actor=officer, request_id=request.pk, method="other", note="")
    assert not DataSubjectRequest.objects.get(pk=request.pk).identity_verified


def test_the_due_date_extends_by_two_months_at_most_and_with_a_reason(subject, officer):
    _, account = subject
    request = open_request(account)

    services.request_extend(actor=officer, request_id=request.pk, months=1, reason="Complex: records in archive.")
    request = services.request_extend(
        actor=officer, request_id=request.pk, months=1, reason="Still waiting on the archive."
    )

    assert request.due_on == add_months(request.received_on, 3)
    assert actions(request) == ["opened", "extended", "extended"]
    with pytest.raises(ValidationError, match="two months"):
        services.request_extend(actor=officer, request_id=request.pk, months=1, reason="Once more, please wait.")
    stored = DataSubjectRequest.objects.get(pk=request.pk)
    assert (stored.extension_months, stored.due_on) == (2, add_months(request.received_on, 3))


@pytest.mark.parametrize(
    ("months", "reason"), [(3, "A long and complex request."), (1, ""), (1, "busy"), (0, "x" * 20)]
)
def test_an_extension_beyond_two_months_or_without_a_reason_is_refused(subject, officer, months, reason):
    _, account = subject
    request = open_request(account)
    with pytest.raises(ValidationError):
        services.request_extend(actor=officer, request_id=request.pk, months=months, reason=reason)
    stored = DataSubjectRequest.objects.get(pk=request.pk)
    assert (stored.extension_months, stored.due_on, actions(stored)) == (0, request.due_on, ["opened"])


def test_a_request_is_completed_only_after_the_identity_check(subject, officer):
    _, account = subject
    request = open_request(account)
    with pytest.raises(ValidationError, match="identity"):
        services.request_complete(actor=officer, request_id=request.pk)
    assert DataSubjectRequest.objects.get(pk=request.pk).status == Status.RECEIVED


@pytest.mark.parametrize("kind", ["access", "portability"])
def test_completing_an_access_or_portability_request_calls_the_export_seam(subject, officer, monkeypatch, kind):
    _, account = subject
    calls = []
    monkeypatch.setattr(services, "request_export_produce", lambda *, actor, request: calls.append((actor, request.pk)))
    request = verified_request(account, officer, kind=kind)

    request = services.request_complete(actor=officer, request_id=request.pk, note="Sent by secure e-mail.")

    assert calls == [(officer, request.pk)]
    assert (request.status, request.outcome) == (Status.COMPLETED, "done")
    assert request.closed_at is not None
    assert actions(request)[-1] == "completed"


def test_a_closed_request_takes_no_further_step(subject, officer, other_officer):
    _, account = subject
    request = verified_request(account, officer)
    services.request_complete(actor=officer, request_id=request.pk)
    before = actions(request)

    for step in (
        lambda: services.request_complete(actor=officer, request_id=request.pk),
        lambda: services.request_refuse(actor=officer, request_id=request.pk, reason="Changed our mind about it."),
        lambda: services.request_extend(actor=officer, request_id=request.pk, months=1, reason="Too late to extend."),
        lambda: services.request_assign(actor=officer, request_id=request.pk, assignee=other_officer),
        lambda: services.request_withdraw(actor=account, request_id=request.pk),
    ):
        with pytest.raises(ValidationError, match="closed"):
            step()
    stored = DataSubjectRequest.objects.get(pk=request.pk)
    assert (stored.status, stored.assignee, actions(stored)) == (Status.COMPLETED, None, before)


def test_a_refusal_needs_a_reason_which_the_request_keeps(subject, officer):
    _, account = subject
    request = open_request(account, kind="erasure")
    with pytest.raises(ValidationError):
        services.request_refuse(actor=officer, request_id=request.pk, reason=" ")
    request = services.request_refuse(actor=officer, request_id=request.pk, reason="Records kept by law for 10 years.")
    assert (request.status, request.outcome, request.refusal_reason) == (
        Status.REFUSED,
        "refused",
        "Records kept by law for 10 years.",
    )


def test_a_patient_cannot_withdraw_another_patients_request(subject, other_subject):
    _, account = subject
    _, other_account = other_subject
    request = open_request(account)
    with pytest.raises(Http404):
        services.request_withdraw(actor=other_account, request_id=request.pk)
    with pytest.raises(Http404):
        services.request_withdraw(actor=other_account, request_id=10**12)
    assert DataSubjectRequest.objects.get(pk=request.pk).status == Status.RECEIVED


def test_an_unknown_or_forged_request_id_is_a_404(officer):
    for forged in (10**6, "1 OR 1=1", 2**70):
        with pytest.raises(Http404):
            services.request_complete(actor=officer, request_id=forged)


# Rectification


def correction(account, officer=None, **values):
    values = values or {"family_name": "Corrected", "phone": "+1 555 999 0000"}
    request = open_request(account, kind="rectification", proposed_values=values)
    if officer is not None:
        request = services.request_verify_identity(actor=officer, request_id=request.pk, method="portal_sign_in_mfa")
    return request


@pytest.mark.parametrize(
    "values",
    [
        {"national_id": "NID-999999"},  # not a detail a patient corrects by request
        {"status": "deceased"},
        {"date_of_birth": "not a date"},
        {"sex": "robot"},
        {},
    ],
)
def test_a_correction_proposes_valid_rectifiable_details(subject, values):
    _, account = subject
    with pytest.raises(ValidationError):
        open_request(account, kind="rectification", proposed_values=values)
    assert DataSubjectRequest.objects.count() == 0


def test_a_correction_that_changes_nothing_is_refused(subject):
    patient, account = subject
    with pytest.raises(ValidationError, match="recorded"):
        open_request(account, kind="rectification", proposed_values={"family_name": patient.family_name})


def test_only_a_correction_carries_proposed_values(subject):
    _, account = subject
    with pytest.raises(ValidationError):
        open_request(account, kind="access", proposed_values={"family_name": "Other"})


def test_applying_every_correction_changes_the_record_and_keeps_the_previous_values(subject, officer):
    patient, account = subject
    old_family_name, old_phone = patient.family_name, patient.phone
    request = correction(account, officer)

    request = services.rectification_apply(actor=officer, request_id=request.pk, fields=["family_name", "phone"])

    patient.refresh_from_db()
    assert (patient.family_name, patient.phone) == ("Corrected", "+1 555 999 0000")
    assert (request.status, request.outcome, request.applied_fields) == (
        Status.COMPLETED,
        "applied",
        ["family_name", "phone"],
    )
    assert services.previous_values_of(request) == {"family_name": old_family_name, "phone": old_phone}
    # The record's audit trail names the change (fields, not values) and who made it.
    change = AuditEvent.objects.filter(action="patient.update", patient_id=patient.pk).latest("id")
    assert (change.actor_id, change.details) == (officer.pk, {"fields": ["family_name", "phone"]})
    # Proposed and previous values are ciphertext in the database.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proposed_values, previous_values FROM compliance_datasubjectrequest WHERE id = %s", [request.pk]
        )
        raw = " ".join(cursor.fetchone())
    assert "Corrected" not in raw and old_family_name not in raw


def test_applying_some_corrections_needs_a_reason_for_the_others(subject, officer):
    patient, account = subject
    old_phone = patient.phone
    request = correction(account, officer)

    with pytest.raises(ValidationError):
        services.rectification_apply(actor=officer, request_id=request.pk, fields=["family_name"], reason="")
    patient.refresh_from_db()
    assert patient.family_name != "Corrected"

    request = services.rectification_apply(
        actor=officer, request_id=request.pk, fields=["family_name"], reason="The phone number is still in use."
    )
    patient.refresh_from_db()
    assert (patient.family_name, patient.phone) == ("Corrected", old_phone)
    assert (request.outcome, request.refusal_reason) == ("partly_applied", "The phone number is still in use.")


def test_applying_no_correction_refuses_the_request(subject, officer):
    patient, account = subject
    request = correction(account, officer)
    request = services.rectification_apply(
        actor=officer, request_id=request.pk, fields=[], reason="Your registration papers show the current name."
    )
    patient.refresh_from_db()
    assert (request.status, request.outcome) == (Status.REFUSED, "refused")
    assert patient.family_name != "Corrected"


def test_a_correction_is_applied_only_among_the_proposed_fields_and_after_the_identity_check(subject, officer):
    patient, account = subject
    request = correction(account)
    with pytest.raises(ValidationError, match="identity"):
        services.rectification_apply(actor=officer, request_id=request.pk, fields=["family_name", "phone"])
    services.request_verify_identity(actor=officer, request_id=request.pk, method="portal_sign_in_mfa")
    with pytest.raises(ValidationError):
        services.rectification_apply(actor=officer, request_id=request.pk, fields=["family_name", "phone", "email"])
    patient.refresh_from_db()
    assert patient.family_name != "Corrected"


def test_a_receptionist_applies_a_correction_a_doctor_may_not(subject, officer, receptionist, make_user):
    patient, account = subject
    request = correction(account, officer)
    with pytest.raises(PermissionDenied):
        services.rectification_apply(actor=make_user(Role.DOCTOR), request_id=request.pk, fields=["family_name"])

    services.rectification_apply(actor=receptionist, request_id=request.pk, fields=["family_name", "phone"])

    patient.refresh_from_db()
    assert patient.family_name == "Corrected"


def test_complete_is_not_the_way_to_decide_a_correction(subject, officer):
    _, account = subject
    request = correction(account, officer)
    with pytest.raises(ValidationError):
        services.request_complete(actor=officer, request_id=request.pk)


# Restriction and objection


@pytest.mark.parametrize("kind", ["restriction", "objection"])
def test_accepting_a_restriction_restricts_the_record_and_lifting_it_restores_it(subject, officer, kind):
    patient, account = subject
    request = verified_request(account, officer, kind=kind)

    services.request_complete(actor=officer, request_id=request.pk)

    patient.refresh_from_db()
    assert patient.processing_restricted
    assert not records_policies.processing_allowed().filter(pk=patient.pk).exists()
    assert AuditEvent.objects.filter(action="patient.restrict", patient_id=patient.pk).exists()

    services.restriction_lift(actor=officer, request_id=request.pk, reason="The accuracy check is finished.")

    patient.refresh_from_db()
    assert not patient.processing_restricted
    assert records_policies.processing_allowed().filter(pk=patient.pk).exists()
    assert AuditEvent.objects.filter(action="patient.restriction_lift", patient_id=patient.pk).exists()
    assert actions(request)[-1] == "restriction_lifted"
    with pytest.raises(ValidationError):
        services.restriction_lift(actor=officer, request_id=request.pk, reason="The accuracy check is finished.")


def test_the_record_stays_restricted_while_another_accepted_objection_stands(subject, officer):
    patient, account = subject
    restriction = verified_request(account, officer, kind="restriction")
    objection = verified_request(account, officer, kind="objection")
    services.request_complete(actor=officer, request_id=restriction.pk)
    services.request_complete(actor=officer, request_id=objection.pk)

    services.restriction_lift(actor=officer, request_id=restriction.pk, reason="The accuracy check is finished.")
    patient.refresh_from_db()
    assert patient.processing_restricted

    services.restriction_lift(actor=officer, request_id=objection.pk, reason="The objection was withdrawn.")
    patient.refresh_from_db()
    assert not patient.processing_restricted


def test_only_a_completed_restriction_can_be_lifted(subject, officer):
    _, account = subject
    request = verified_request(account, officer, kind="restriction")
    with pytest.raises(ValidationError):
        services.restriction_lift(actor=officer, request_id=request.pk, reason="Nothing to lift yet here.")


# Erasure and legal holds


def test_erasure_approval_is_refused_under_a_legal_hold_and_nothing_changes(subject, officer):
    patient, account = subject
    request = verified_request(account, officer, kind="erasure")
    hold = hold_services.legal_hold_place(actor=officer, patient_id=patient.pk, reason="Litigation: case 2026-114.")

    with pytest.raises(ValidationError, match="legal hold"):
        services.request_complete(actor=officer, request_id=request.pk)

    stored = DataSubjectRequest.objects.get(pk=request.pk)
    assert (stored.status, stored.outcome, actions(stored)) == (Status.IDENTITY_VERIFIED, "", actions(request))
    hold_services.legal_hold_lift(actor=officer, hold_id=hold.pk, reason="Case 2026-114 was settled.")
    approved = services.request_complete(actor=officer, request_id=request.pk)
    assert (approved.status, approved.outcome) == (Status.COMPLETED, "approved")


# Reminders


def assigned(account, officer, assignee, **kwargs):
    request = verified_request(account, officer, **kwargs)
    return services.request_assign(actor=officer, request_id=request.pk, assignee=assignee)


def test_the_assignee_is_reminded_once_per_due_date_without_phi(
    subject, officer, other_officer, django_capture_on_commit_callbacks
):
    patient, account = subject
    request = assigned(account, officer, other_officer, kind="erasure")
    near_due = request.due_on - datetime.timedelta(days=3)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.request_due_reminders_send(on=near_due) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.request_due_reminders_send(on=near_due) == 0

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [other_officer.email]
    body = message.body + message.alternatives[0][0]
    assert request.number in body and request.due_on.isoformat() in body
    for phi in (patient.family_name, patient.given_name, patient.email, patient.mrn):
        assert phi not in body and phi not in message.subject
    assert actions(request)[-1] == "reminder_sent"
    event = AuditEvent.objects.filter(action="compliance.request_reminder").get()
    assert event.details == {"request_id": request.pk, "due_on": request.due_on.isoformat()}

    services.request_extend(actor=officer, request_id=request.pk, months=1, reason="Archive retrieval is slow.")
    request.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.request_due_reminders_send(on=request.due_on - datetime.timedelta(days=1)) == 1
    assert len(mail.outbox) == 2


def test_no_reminder_for_unassigned_far_or_closed_requests(subject, other_subject, officer, other_officer):
    _, account = subject
    _, other_account = other_subject
    unassigned = verified_request(account, officer, kind="access")
    closed = assigned(other_account, officer, other_officer, kind="access")
    services.request_complete(actor=officer, request_id=closed.pk)

    assert services.request_due_reminders_send(on=unassigned.due_on - datetime.timedelta(days=3)) == 0
    far = assigned(account, officer, other_officer, kind="objection")
    assert services.request_due_reminders_send(on=far.due_on - datetime.timedelta(days=20)) == 0
    assert mail.outbox == []


def test_free_text_is_encrypted_and_stays_out_of_the_audit_log(subject, officer):
    _, account = subject
    canary = "Canary-Zebulon-7731"
    request = open_request(account, kind="erasure", details=f"Please erase {canary}.")
    services.request_refuse(actor=officer, request_id=request.pk, reason=f"Refused for {canary} reasons.")

    with connection.cursor() as cursor:
        cursor.execute("SELECT details, refusal_reason FROM compliance_datasubjectrequest")
        assert canary not in " ".join(cursor.fetchone())
        cursor.execute("SELECT note FROM compliance_requestevent")
        assert all(canary not in row[0] for row in cursor.fetchall())
    assert not [event for event in AuditEvent.objects.all() if canary in str(event.details)]
    assert str(request) == request.number and canary not in str(RequestEvent.objects.first())
