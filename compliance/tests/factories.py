"""Test data for compliance, written through the services (so history and audit are real): a
patient with a portal account and their requests; a patient with something of every kind (exports)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from compliance.models import ConsentPurpose
from compliance.selectors import consent_purpose_get
from compliance.services import incidents
from compliance.services import requests as request_services
from compliance.services.consents import consent_decide
from records import services
from records.tests.factories import add_to_care_team, register_patient

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00fake image bytes"
PDF = b"%PDF-1.4\n% fake pdf\n"


@dataclass
class World:
    patient: object
    patient_user: object
    doctor: object
    nurse: object
    receptionist: object
    other: object  # the canary: a second patient on the same care team
    other_user: object


def fill_record(patient, *, doctor, nurse, receptionist, tag: str) -> None:
    """One or more rows of every kind for `patient`; every text value carries `tag`. Also a portal
    session of the patient and a break-the-glass access to them by a doctor off the care team."""
    at = timezone.now() - datetime.timedelta(days=30)
    Client().force_login(patient.user)
    for key, decisions in (
        (ConsentPurpose.EMAIL_REMINDERS, ("given", "withdrawn")),
        (ConsentPurpose.RESEARCH, ("given",)),
    ):
        for decision in decisions:
            version = consent_purpose_get(key=key).current_version.version
            consent_decide(actor=patient.user, purpose_key=key, decision=decision, version=version)
    services.break_glass_open(
        actor=UserFactory(role=Role.DOCTOR),
        mrn=patient.mrn,
        reason=f"Unconscious on arrival at the emergency department, care team unreachable ({tag}).",
    )
    encounter = services.record_create(
        actor=doctor,
        patient_id=patient.pk,
        record_type_name="encounters",
        data={"occurred_at": at, "kind": "office_visit", "reason": f"Cough {tag}", "status": "finished"},
    )
    services.record_create(
        actor=doctor,
        patient_id=patient.pk,
        record_type_name="encounters",
        data={"occurred_at": at, "kind": "telehealth", "reason": f"Follow-up {tag}", "status": "in_progress"},
    )
    signed = services.record_create(
        actor=doctor,
        patient_id=patient.pk,
        record_type_name="notes",
        data={"kind": "physician", "body": f"Signed note {tag}", "encounter": encounter},
    )
    services.note_sign(actor=doctor, patient_id=patient.pk, note_id=signed.pk)
    services.note_amend(actor=doctor, patient_id=patient.pk, note_id=signed.pk, body=f"Amendment {tag}")
    services.record_create(
        actor=nurse, patient_id=patient.pk, record_type_name="notes", data={"kind": "nursing", "body": f"Draft {tag}"}
    )
    for status in ("active", "resolved", "inactive"):
        services.record_create(
            actor=doctor,
            patient_id=patient.pk,
            record_type_name="conditions",
            data={
                "icd10_code": "J45.909",
                "description": f"Asthma {status} {tag}",
                "status": status,
                "onset_date": datetime.date(2020, 1, 1),
                "resolved_date": datetime.date(2021, 1, 1) if status == "resolved" else None,
            },
        )
    for status in ("active", "stopped", "completed"):
        services.record_create(
            actor=doctor,
            patient_id=patient.pk,
            record_type_name="medications",
            data={
                "drug": f"Salbutamol {status} {tag}",
                "dose": f"100 mcg {tag}",
                "route": "inhaled",
                "frequency": f"prn {tag}",
                "start_date": datetime.date(2020, 1, 1),
                "end_date": datetime.date(2020, 6, 1) if status != "active" else None,
                "status": status,
            },
        )
    for status, reaction in (("active", f"Hives {tag}"), ("inactive", ""), ("refuted", f"Rash {tag}")):
        services.record_create(
            actor=nurse,
            patient_id=patient.pk,
            record_type_name="allergies",
            data={"substance": f"Latex {status} {tag}", "reaction": reaction, "severity": "moderate", "status": status},
        )
    services.record_create(
        actor=nurse,
        patient_id=patient.pk,
        record_type_name="observations",
        data={
            "code": "8867-4",
            "name": f"Heart rate {tag}",
            "value": "130",
            "unit": "/min",
            "reference_low": Decimal("50"),
            "reference_high": Decimal("100"),
            "observed_at": at,
        },
    )
    services.record_create(
        actor=nurse,
        patient_id=patient.pk,
        record_type_name="observations",
        data={"code": "LOCAL-1", "name": f"Urine dip {tag}", "value": f"positive {tag}", "observed_at": at},
    )
    for status in ("booked", "checked_in", "completed", "cancelled", "no_show"):
        appointment = services.record_create(
            actor=receptionist,
            patient_id=patient.pk,
            record_type_name="appointments",
            data={
                "clinician": doctor,
                "starts_at": at,
                "ends_at": at + datetime.timedelta(minutes=20),
                "reason": f"Check {status} {tag}",
            },
        )
        if status != "booked":
            services.record_update(
                actor=receptionist,
                patient_id=patient.pk,
                record_type_name="appointments",
                record_id=appointment.pk,
                data={"status": status},
            )
    services.document_upload(
        actor=doctor,
        patient_id=patient.pk,
        title=f"Chest X-ray {tag}",
        kind="imaging",
        uploaded_file=SimpleUploadedFile("x.png", PNG + tag.encode()),
    )
    services.document_upload(
        actor=doctor,
        patient_id=patient.pk,
        title=f"../../etc/passwd {tag}",
        kind="lab_report",
        uploaded_file=SimpleUploadedFile("r.pdf", PDF + tag.encode()),
    )


def fill_little(patient, *, doctor, tag: str) -> None:
    """An encounter and a document: enough for the tests of pages and the API."""
    services.record_create(
        actor=doctor,
        patient_id=patient.pk,
        record_type_name="encounters",
        data={"occurred_at": timezone.now(), "kind": "office_visit", "reason": f"Cough {tag}"},
    )
    services.document_upload(
        actor=doctor,
        patient_id=patient.pk,
        title=f"Scan {tag}",
        kind="imaging",
        uploaded_file=SimpleUploadedFile("x.png", PNG + tag.encode()),
    )


def make_world(*, tag: str = "SUBJECTVALUE", canary: str = "CANARYZEBRA", full: bool = True) -> World:
    """A patient (portal account, full record, or a small one unless `full`) and, on the same care
    team, a second patient whose every value carries `canary`: nothing of it may reach the first
    patient's export."""
    receptionist = UserFactory(role=Role.RECEPTIONIST)
    doctor = UserFactory(role=Role.DOCTOR, full_name="Dr Dana Whitfield")
    nurse = UserFactory(role=Role.NURSE, full_name="Nurse Noor Haddad")
    worlds = []
    for value in (tag, canary):
        user = UserFactory(role=Role.PATIENT)
        patient = register_patient(
            actor=receptionist,
            given_name=f"Given{value}",
            family_name=f"Family{value}",
            email=f"{value.lower()}@example.test",
            address=f"1 {value} Street",
            national_id=f"NID{value}"[:32],
            emergency_contact=f"Contact {value}",
            gender=f"woman {value}"[:64],
        )
        patient.user = user
        patient.save(update_fields=["user"])
        add_to_care_team(patient, doctor, actor=receptionist)
        add_to_care_team(patient, nurse, actor=receptionist)
        if full:
            fill_record(patient, doctor=doctor, nurse=nurse, receptionist=receptionist, tag=value)
        else:
            fill_little(patient, doctor=doctor, tag=value)
        worlds.append((patient, user))
    (patient, patient_user), (other, other_user) = worlds
    return World(patient, patient_user, doctor, nurse, receptionist, other, other_user)


def patient_with_account(**overrides):
    """A registered patient linked to a new portal account; returns (patient, account)."""
    account = UserFactory(role=Role.PATIENT)
    patient = register_patient(**overrides)
    patient.user = account
    patient.save(update_fields=["user"])
    return patient, account


def open_request(account, kind="access", **kwargs):
    return request_services.request_open(actor=account, kind=kind, **kwargs)


def verified_request(account, officer, kind="access", **kwargs):
    request = open_request(account, kind=kind, **kwargs)
    return request_services.request_verify_identity(
        actor=officer, request_id=request.pk, method="portal_sign_in_mfa", note=""
    )


def recorded_request(officer, patient, kind="erasure", received_on=None):
    return request_services.request_record(
        actor=officer,
        patient_id=patient.pk,
        kind=kind,
        channel="letter",
        received_on=received_on or datetime.date.today(),
        identity_method="letter_signature",
        identity_note="Signature matches the registration form.",
    )


def officer():
    return UserFactory(role=Role.COMPLIANCE)


def incident_data(**overrides) -> dict:
    now = timezone.now()
    data = {
        "title": "Laptop left on a train",
        "category": "lost_device",
        "severity": "high",
        "description": "An unencrypted laptop with a clinic spreadsheet was lost.",
        "detection_method": "staff_report",
        "detected_by": "Front desk",
        "detected_at": now - datetime.timedelta(hours=1),
        "aware_at": now - datetime.timedelta(minutes=30),
        "affected_count_estimate": 0,
        "data_categories": ["identifying", "clinical"],
        "audit_event_ids": [],
    }
    data.update(overrides)
    return data


def open_incident(*, actor=None, **overrides):
    return incidents.incident_open(actor=actor or officer(), data=incident_data(**overrides))


ASSESSMENT = {
    "nature_and_extent": "Names, dates of birth and diagnoses of 12 patients.",
    "unauthorised_recipient": "Unknown member of the public.",
    "acquired_or_viewed": "unknown",
    "mitigation": "Remote wipe requested; not confirmed.",
    "hipaa_outcome": "breach",
    "gdpr_risk": "high",
}
