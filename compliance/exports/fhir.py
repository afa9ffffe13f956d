"""The patient's record as FHIR R4 resources, for the FHIR Bundle (type collection) of an export.

Built with fhir.resources' R4B models (R4B equals R4 for every resource used here): each resource
is validated by its model before it is written. The models accept any string as a code, so the
codes written here are the ones of each element's required value set (the tests check every
export against those sets), and every reference points at another entry of the same bundle by its
`urn:uuid:` fullUrl. Staff appear by name and role only (`display`), as the portal's access log
shows them, never as resources of their own.

The uuids are derived from the export's own namespace and the row's model and id: the same row
has the same uuid everywhere in one bundle (references need no lookup table, so resources are
produced one at a time, whatever the size of the record), and nothing links two exports.
"""

import base64
import uuid
from collections.abc import Iterator

from fhir.resources.R4B.allergyintolerance import AllergyIntolerance as FhirAllergyIntolerance
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.auditevent import AuditEvent as FhirAuditEvent
from fhir.resources.R4B.careteam import CareTeam as FhirCareTeam
from fhir.resources.R4B.condition import Condition as FhirCondition
from fhir.resources.R4B.consent import Consent as FhirConsent
from fhir.resources.R4B.documentreference import DocumentReference as FhirDocumentReference
from fhir.resources.R4B.encounter import Encounter as FhirEncounter
from fhir.resources.R4B.medicationstatement import MedicationStatement as FhirMedicationStatement
from fhir.resources.R4B.observation import Observation as FhirObservation
from fhir.resources.R4B.patient import Patient as FhirPatient

from accounts.models import User
from audit.models import AuditEvent
from compliance.exports.documents import document_archive_name
from compliance.models import ConsentDecision, ConsentPurpose, ConsentVersion
from records.models import (
    Allergy,
    Appointment,
    CareTeamMembership,
    ClinicalNote,
    Condition,
    Document,
    Encounter,
    Medication,
    Observation,
    Patient,
    parse_number,
)

ROWS_PER_QUERY = 500

MODELS = {
    "Patient": FhirPatient,
    "Encounter": FhirEncounter,
    "Condition": FhirCondition,
    "MedicationStatement": FhirMedicationStatement,
    "AllergyIntolerance": FhirAllergyIntolerance,
    "Observation": FhirObservation,
    "DocumentReference": FhirDocumentReference,
    "Appointment": FhirAppointment,
    "CareTeam": FhirCareTeam,
    "AuditEvent": FhirAuditEvent,
    "Consent": FhirConsent,
}

IDENTIFIER_SYSTEM_MRN = "urn:healthpro:mrn"
IDENTIFIER_SYSTEM_NATIONAL_ID = "urn:healthpro:national-id"
ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10"
LOINC_SYSTEM = "http://loinc.org"
GENDER_IDENTITY_EXTENSION = "http://hl7.org/fhir/StructureDefinition/patient-genderIdentity"
CLINICAL_STATUS_SYSTEM = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION_STATUS_SYSTEM = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
ALLERGY_CLINICAL_SYSTEM = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
ACT_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
INTERPRETATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
AUDIT_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/audit-event-type"
CONSENT_SCOPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_POLICY_PREFIX = "urn:healthpro:consent"

# Our values → the codes of FHIR R4's required value sets.
PATIENT_GENDER = {"female": "female", "male": "male", "intersex": "other", "unknown": "unknown"}
ENCOUNTER_STATUS = {
    "planned": "planned",
    "in_progress": "in-progress",
    "finished": "finished",
    "cancelled": "cancelled",
}
ENCOUNTER_CLASS = {
    "office_visit": ("AMB", "ambulatory"),
    "telehealth": ("VR", "virtual"),
    "emergency": ("EMER", "emergency"),
    "inpatient": ("IMP", "inpatient encounter"),
}
CONDITION_CLINICAL_STATUS = {"active": "active", "resolved": "resolved", "inactive": "inactive"}
MEDICATION_STATUS = {"active": "active", "stopped": "stopped", "completed": "completed"}
# (clinicalStatus, verificationStatus): a refuted allergy is inactive and refuted.
ALLERGY_STATUS = {
    "active": ("active", "confirmed"),
    "inactive": ("inactive", "confirmed"),
    "refuted": ("inactive", "refuted"),
}
ALLERGY_SEVERITY = {"mild": "mild", "moderate": "moderate", "severe": "severe"}
APPOINTMENT_STATUS = {
    "booked": "booked",
    "checked_in": "checked-in",
    "completed": "fulfilled",
    "cancelled": "cancelled",
    "no_show": "noshow",
}
NOTE_DOC_STATUS = {"draft": "preliminary", "signed": "final"}
CONSENT_PROVISION = {"given": "permit", "withdrawn": "deny"}
NOTE_TYPE = {"physician": ("11506-3", "Progress note"), "nursing": ("34746-8", "Nurse note")}
AUDIT_OUTCOME = {"success": "0", "failure": "4", "denied": "4"}
# The last part of an audit action ("note.sign") → AuditEvent.action (C R U D E).
AUDIT_ACTION = {
    "create": "C",
    "read": "R",
    "list": "R",
    "search": "R",
    "download": "R",
    "get": "R",
    "update": "U",
    "sign": "U",
    "amend": "U",
    "end": "U",
    "post": "U",
    "put": "U",
    "patch": "U",
    "delete": "D",
}


def _coding(system: str, code: str, display: str | None = None) -> dict:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _concept(system: str, code: str, display: str | None = None) -> dict:
    return {"coding": [_coding(system, code, display)]}


def _instant(value) -> str | None:
    return value.isoformat() if value else None


class FhirMapper:
    """Maps one patient's rows to validated FHIR resources: `entries()` yields (fullUrl, JSON text).

    The caller has checked that the export may be built for this patient."""

    def __init__(self, *, patient: Patient, namespace: uuid.UUID):
        self.patient = patient
        self.namespace = namespace
        self._staff: dict[int, str] = {}
        self._amended: set[int] | None = None

    def full_url(self, kind: str, pk) -> str:
        return f"urn:uuid:{uuid.uuid5(self.namespace, f'{kind}/{pk}')}"

    def reference(self, kind: str, pk) -> dict:
        return {"reference": self.full_url(kind, pk)}

    @property
    def subject(self) -> dict:
        return self.reference("Patient", self.patient.pk)

    def staff(self, user_id: int | None) -> dict:
        """A staff member as a display-only reference: their name and role."""
        if user_id is None:
            return {"display": "HealthPro"}
        if user_id not in self._staff:
            user = User.objects.filter(pk=user_id).first()
            if user is None:
                self._staff[user_id] = "A staff member"
            else:
                role = user.role
                name = user.full_name or "A staff member"
                self._staff[user_id] = f"{name} ({role.label})" if role else name
        return {"display": self._staff[user_id]}

    def entries(self) -> Iterator[tuple[str, str, str]]:
        """(fullUrl, resource type, the resource as JSON text), each validated by its model."""
        for kind, pk, resource in self.resources():
            resource_type = resource["resourceType"]
            validated = MODELS[resource_type].model_validate(resource)
            yield self.full_url(kind, pk), resource_type, validated.model_dump_json(exclude_none=True)

    def resources(self) -> Iterator[tuple[str, object, dict]]:
        patient = self.patient
        yield "Patient", patient.pk, self.patient_resource(patient)
        yield from self._each(Encounter, self.encounter_resource)
        yield from self._each(Condition, self.condition_resource)
        yield from self._each(Medication, self.medication_resource)
        yield from self._each(Allergy, self.allergy_resource)
        yield from self._each(Observation, self.observation_resource)
        yield from self._each(ClinicalNote, self.note_resource)
        yield from self._each(Document, self.document_resource)
        yield from self._each(Appointment, self.appointment_resource)
        yield from self.consent_resources()
        memberships = list(CareTeamMembership.objects.filter(patient=patient).order_by("started_at", "id"))
        if memberships:
            yield "CareTeam", patient.pk, self.care_team_resource(memberships)
        events = AuditEvent.objects.filter(patient_id=patient.pk, category=AuditEvent.Category.ACCESS)
        for event in events.order_by("id").iterator(chunk_size=ROWS_PER_QUERY):
            yield "AuditEvent", event.pk, self.audit_event_resource(event)

    def _each(self, model, build) -> Iterator[tuple[str, object, dict]]:
        rows = model.objects.filter(patient=self.patient).order_by("id")
        for row in rows.iterator(chunk_size=ROWS_PER_QUERY):
            resource = build(row)
            yield model.__name__, row.pk, resource

    def patient_resource(self, patient: Patient) -> dict:
        identifiers = [
            {"system": IDENTIFIER_SYSTEM_MRN, "value": patient.mrn, "type": {"text": "Medical record number"}}
        ]
        if patient.national_id:
            identifiers.append(
                {"system": IDENTIFIER_SYSTEM_NATIONAL_ID, "value": patient.national_id, "type": {"text": "National id"}}
            )
        telecom = []
        if patient.email:
            telecom.append({"system": "email", "value": patient.email})
        if patient.phone:
            telecom.append({"system": "phone", "value": patient.phone})
        resource = {
            "resourceType": "Patient",
            "identifier": identifiers,
            "active": patient.status != Patient.Status.INACTIVE,
            "name": [{"use": "official", "family": patient.family_name, "given": [patient.given_name]}],
            "telecom": telecom or None,
            "gender": PATIENT_GENDER[patient.sex],
            "birthDate": patient.date_of_birth.isoformat(),
            "address": [{"text": patient.address}] if patient.address else None,
            "communication": [
                {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": patient.preferred_language}]}}
            ]
            if patient.preferred_language
            else None,
        }
        if patient.status == Patient.Status.DECEASED:
            resource["deceasedBoolean"] = True
        if patient.gender:
            resource["extension"] = [
                {"url": GENDER_IDENTITY_EXTENSION, "valueCodeableConcept": {"text": patient.gender}}
            ]
        if patient.emergency_contact:
            resource["contact"] = [
                {"relationship": [{"text": "Emergency contact"}], "name": {"text": patient.emergency_contact}}
            ]
        return resource

    def encounter_resource(self, encounter: Encounter) -> dict:
        code, display = ENCOUNTER_CLASS[encounter.kind]
        return {
            "resourceType": "Encounter",
            "status": ENCOUNTER_STATUS[encounter.status],
            "class": _coding(ACT_CODE_SYSTEM, code, display),
            "type": [{"text": encounter.get_kind_display()}],
            "subject": self.subject,
            "participant": [{"individual": self.staff(encounter.clinician_id)}],
            "period": {"start": _instant(encounter.occurred_at)},
            "reasonCode": [{"text": encounter.reason}],
        }

    def condition_resource(self, condition: Condition) -> dict:
        return {
            "resourceType": "Condition",
            "clinicalStatus": _concept(CLINICAL_STATUS_SYSTEM, CONDITION_CLINICAL_STATUS[condition.status]),
            "verificationStatus": _concept(VERIFICATION_STATUS_SYSTEM, "confirmed"),
            "code": {
                "coding": [_coding(ICD10_SYSTEM, condition.icd10_code, condition.description)],
                "text": condition.description,
            },
            "subject": self.subject,
            "onsetDateTime": condition.onset_date.isoformat() if condition.onset_date else None,
            "abatementDateTime": condition.resolved_date.isoformat() if condition.resolved_date else None,
            "recorder": self.staff(condition.recorded_by_id),
        }

    def medication_resource(self, medication: Medication) -> dict:
        period = {"start": medication.start_date.isoformat()}
        if medication.end_date:
            period["end"] = medication.end_date.isoformat()
        return {
            "resourceType": "MedicationStatement",
            "status": MEDICATION_STATUS[medication.status],
            "medicationCodeableConcept": {"text": medication.drug},
            "subject": self.subject,
            "effectivePeriod": period,
            "informationSource": self.staff(medication.prescriber_id),
            "dosage": [
                {
                    "text": f"{medication.dose}, {medication.frequency}",
                    "route": {"text": medication.get_route_display()},
                    "timing": {"code": {"text": medication.frequency}},
                }
            ],
        }

    def allergy_resource(self, allergy: Allergy) -> dict:
        clinical, verification = ALLERGY_STATUS[allergy.status]
        resource = {
            "resourceType": "AllergyIntolerance",
            "clinicalStatus": _concept(ALLERGY_CLINICAL_SYSTEM, clinical),
            "verificationStatus": _concept(ALLERGY_VERIFICATION_SYSTEM, verification),
            "code": {"text": allergy.substance},
            "patient": self.subject,
            "recorder": self.staff(allergy.recorded_by_id),
        }
        if allergy.reaction:
            resource["reaction"] = [
                {"manifestation": [{"text": allergy.reaction}], "severity": ALLERGY_SEVERITY[allergy.severity]}
            ]
        else:
            resource["note"] = [{"text": f"Severity: {allergy.get_severity_display()}"}]
        return resource

    def observation_resource(self, observation: Observation) -> dict:
        is_loinc = len(observation.code) <= 10 and observation.code.replace("-", "").isdigit()
        code = {"text": observation.name}
        if is_loinc:
            code["coding"] = [_coding(LOINC_SYSTEM, observation.code, observation.name)]
        else:
            code["coding"] = [_coding("urn:healthpro:observation-code", observation.code, observation.name)]
        resource = {
            "resourceType": "Observation",
            "status": "final",
            "code": code,
            "subject": self.subject,
            "effectiveDateTime": _instant(observation.observed_at),
            "performer": [self.staff(observation.recorded_by_id)],
        }
        number = parse_number(observation.value)
        if number is not None:
            quantity = {"value": number}
            if observation.unit:
                quantity["unit"] = observation.unit
            resource["valueQuantity"] = quantity
        else:
            resource["valueString"] = observation.value
        if observation.reference_low is not None or observation.reference_high is not None:
            reference_range = {}
            for name, value in (("low", observation.reference_low), ("high", observation.reference_high)):
                if value is not None:
                    reference_range[name] = {"value": value, **({"unit": observation.unit} if observation.unit else {})}
            resource["referenceRange"] = [reference_range]
        if observation.abnormal:
            resource["interpretation"] = [_concept(INTERPRETATION_SYSTEM, "A", "Abnormal")]
        return resource

    def note_resource(self, note: ClinicalNote) -> dict:
        code, display = NOTE_TYPE[note.kind]
        if self._amended is None:
            amended = ClinicalNote.objects.filter(patient=self.patient, amends__isnull=False)
            self._amended = set(amended.values_list("amends_id", flat=True))
        superseded = note.pk in self._amended
        resource = {
            "resourceType": "DocumentReference",
            "status": "superseded" if superseded else "current",
            "docStatus": NOTE_DOC_STATUS[note.status],
            "type": _concept(LOINC_SYSTEM, code, display),
            "category": [{"text": "Clinical note"}],
            "subject": self.subject,
            "date": _instant(note.signed_at or note.created_at),
            "author": [self.staff(note.author_id)],
            "content": [
                {
                    "attachment": {
                        "contentType": "text/plain; charset=utf-8",
                        "data": base64.b64encode(note.body.encode("utf-8")).decode("ascii"),
                        "creation": _instant(note.created_at),
                    }
                }
            ],
        }
        if note.signed_by_id:
            resource["authenticator"] = self.staff(note.signed_by_id)
        if note.amends_id:
            resource["relatesTo"] = [{"code": "replaces", "target": self.reference("ClinicalNote", note.amends_id)}]
        if note.encounter_id:
            resource["context"] = {"encounter": [self.reference("Encounter", note.encounter_id)]}
        return resource

    def document_resource(self, document: Document) -> dict:
        return {
            "resourceType": "DocumentReference",
            "status": "current",
            "type": {"text": document.get_kind_display()},
            "category": [{"text": "Document"}],
            "subject": self.subject,
            "date": _instant(document.uploaded_at),
            "author": [self.staff(document.uploaded_by_id)],
            "description": document.title,
            "content": [
                {
                    "attachment": {
                        "contentType": document.content_type,
                        "url": document_archive_name(document),
                        "size": document.size,
                        "title": document.title,
                        "creation": _instant(document.uploaded_at),
                    }
                }
            ],
        }

    def appointment_resource(self, appointment: Appointment) -> dict:
        return {
            "resourceType": "Appointment",
            "status": APPOINTMENT_STATUS[appointment.status],
            "description": appointment.reason or None,
            "start": _instant(appointment.starts_at),
            "end": _instant(appointment.ends_at),
            "participant": [
                {"actor": self.subject, "status": "accepted"},
                {"actor": self.staff(appointment.clinician_id), "status": "accepted"},
            ],
        }

    def care_team_resource(self, memberships: list[CareTeamMembership]) -> dict:
        active = any(membership.ended_at is None for membership in memberships)
        participants = []
        for membership in memberships:
            period = {"start": _instant(membership.started_at)}
            if membership.ended_at:
                period["end"] = _instant(membership.ended_at)
            participants.append(
                {
                    "role": [{"text": membership.get_team_role_display()}],
                    "member": self.staff(membership.member_id),
                    "period": period,
                }
            )
        return {
            "resourceType": "CareTeam",
            "status": "active" if active else "inactive",
            "name": "Care team",
            "subject": self.subject,
            "participant": participants,
        }

    def consent_resources(self) -> Iterator[tuple[str, object, dict]]:
        """One Consent per decision, the patient's whole history: `permit` when given, `deny` when
        withdrawn. Only the latest decision of a purpose, on its current version, is active; the
        others are inactive (superseded by a later decision or a new version of the text)."""
        decisions = list(
            ConsentDecision.objects.filter(patient=self.patient).select_related("purpose", "version").order_by("id")
        )
        if not decisions:
            return
        current = {}
        for version in ConsentVersion.objects.filter(purpose_id__in={d.purpose_id for d in decisions}):
            current[version.purpose_id] = max(current.get(version.purpose_id, 0), version.version)
        latest = {decision.purpose_id: decision.pk for decision in decisions}
        for decision in decisions:
            active = latest[decision.purpose_id] == decision.pk and decision.version.version == current.get(
                decision.purpose_id
            )
            yield "ConsentDecision", decision.pk, self.consent_resource(decision, active=active)

    def consent_resource(self, decision: ConsentDecision, *, active: bool) -> dict:
        purpose, version = decision.purpose, decision.version
        research = purpose.key == ConsentPurpose.RESEARCH
        scope = ("research", "Research") if research else ("patient-privacy", "Privacy Consent")
        by_patient = decision.recorded_by_id == self.patient.user_id
        return {
            "resourceType": "Consent",
            "status": "active" if active else "inactive",
            "scope": _concept(CONSENT_SCOPE_SYSTEM, *scope),
            "category": [_concept(LOINC_SYSTEM, "59284-0", "Patient Consent"), {"text": purpose.name}],
            "patient": self.subject,
            "dateTime": _instant(decision.decided_at),
            "performer": [self.subject if by_patient else self.staff(decision.recorded_by_id)],
            "policy": [{"uri": f"{CONSENT_POLICY_PREFIX}:{purpose.key}:v{version.version}"}],
            "sourceAttachment": {
                "contentType": "text/plain; charset=utf-8",
                "title": f"{purpose.name}, version {version.version} ({decision.get_channel_display()})",
                "data": base64.b64encode(version.text.encode("utf-8")).decode("ascii"),
            },
            "provision": {"type": CONSENT_PROVISION[decision.decision]},
        }

    def audit_event_resource(self, event: AuditEvent) -> dict:
        verb = event.action.rsplit(".", 1)[-1]
        by_patient = event.actor_role == "patient"
        if by_patient:
            who = {"display": "You (patient portal)"}
        elif event.actor_id is None:
            who = {"display": "HealthPro (system)"}
        else:
            who = self.staff(event.actor_id)
        return {
            "resourceType": "AuditEvent",
            "type": _coding(AUDIT_TYPE_SYSTEM, "rest", "RESTful Operation"),
            "subtype": [{"system": "urn:healthpro:audit-action", "code": event.action}],
            "action": AUDIT_ACTION.get(verb, "E"),
            "recorded": _instant(event.occurred_at),
            "outcome": AUDIT_OUTCOME.get(event.outcome, "4"),
            "purposeOfEvent": [{"text": event.get_purpose_display()}] if event.purpose else None,
            "agent": [{"who": who, "requestor": True}],
            "source": {"observer": {"display": "HealthPro"}},
            "entity": [{"what": self.subject, "name": event.record_type or "patient"}],
        }
