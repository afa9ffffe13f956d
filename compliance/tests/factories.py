"""Test data for compliance, written through the services (so history and audit are real)."""

import datetime

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from compliance.services import requests as services
from records.tests.factories import register_patient


def patient_with_account(**overrides):
    """A registered patient linked to a new portal account; returns (patient, account)."""
    account = UserFactory(role=Role.PATIENT)
    patient = register_patient(**overrides)
    patient.user = account
    patient.save(update_fields=["user"])
    return patient, account


def open_request(account, kind="access", **kwargs):
    return services.request_open(actor=account, kind=kind, **kwargs)


def verified_request(account, officer, kind="access", **kwargs):
    request = open_request(account, kind=kind, **kwargs)
    return services.request_verify_identity(actor=officer, request_id=request.pk, method="portal_sign_in_mfa", note="")


def recorded_request(officer, patient, kind="erasure", received_on=None):
    return services.request_record(
        actor=officer,
        patient_id=patient.pk,
        kind=kind,
        channel="letter",
        received_on=received_on or datetime.date.today(),
        identity_method="letter_signature",
        identity_note="Signature matches the registration form.",
    )
