"""Reading an export back in tests, and checking its FHIR bundle against FHIR R4 itself."""

import io
import json
import zipfile

from fhir.resources.R4B.bundle import Bundle

from compliance.exports.storage import decrypted_chunks

# The codes FHIR R4 allows (required bindings), written out here from the specification rather
# than taken from the code under test.
R4_CODES = {
    ("Patient", "gender"): {"male", "female", "other", "unknown"},
    ("Encounter", "status"): {
        "planned",
        "arrived",
        "triaged",
        "in-progress",
        "onleave",
        "finished",
        "cancelled",
        "entered-in-error",
        "unknown",
    },
    ("Condition", "clinicalStatus"): {"active", "recurrence", "relapse", "inactive", "remission", "resolved"},
    ("Condition", "verificationStatus"): {
        "unconfirmed",
        "provisional",
        "differential",
        "confirmed",
        "refuted",
        "entered-in-error",
    },
    ("MedicationStatement", "status"): {
        "active",
        "completed",
        "entered-in-error",
        "intended",
        "stopped",
        "on-hold",
        "unknown",
        "not-taken",
    },
    ("AllergyIntolerance", "clinicalStatus"): {"active", "inactive", "resolved"},
    ("AllergyIntolerance", "verificationStatus"): {"unconfirmed", "confirmed", "refuted", "entered-in-error"},
    ("AllergyIntolerance.reaction", "severity"): {"mild", "moderate", "severe"},
    ("Observation", "status"): {
        "registered",
        "preliminary",
        "final",
        "amended",
        "corrected",
        "cancelled",
        "entered-in-error",
        "unknown",
    },
    ("DocumentReference", "status"): {"current", "superseded", "entered-in-error"},
    ("DocumentReference", "docStatus"): {"preliminary", "final", "amended", "entered-in-error"},
    ("DocumentReference.relatesTo", "code"): {"replaces", "transforms", "signs", "appends"},
    ("Appointment", "status"): {
        "proposed",
        "pending",
        "booked",
        "arrived",
        "fulfilled",
        "cancelled",
        "noshow",
        "entered-in-error",
        "checked-in",
        "waitlist",
    },
    ("Appointment.participant", "status"): {"accepted", "declined", "tentative", "needs-action"},
    ("CareTeam", "status"): {"proposed", "active", "suspended", "inactive", "entered-in-error"},
    ("Consent", "status"): {"draft", "proposed", "active", "rejected", "inactive", "entered-in-error"},
    ("Consent", "scope"): {"adr", "research", "patient-privacy", "treatment"},
    ("Consent.provision", "type"): {"deny", "permit"},
    ("AuditEvent", "action"): {"C", "R", "U", "D", "E"},
    ("AuditEvent", "outcome"): {"0", "4", "8", "12"},
}
CONCEPT_SYSTEMS = {
    ("Condition", "clinicalStatus"): "http://terminology.hl7.org/CodeSystem/condition-clinical",
    ("Condition", "verificationStatus"): "http://terminology.hl7.org/CodeSystem/condition-ver-status",
    ("AllergyIntolerance", "clinicalStatus"): "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
    ("AllergyIntolerance", "verificationStatus"): (
        "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
    ),
    ("Consent", "scope"): "http://terminology.hl7.org/CodeSystem/consentscope",
}
ENCOUNTER_CLASSES = {"AMB", "EMER", "FLD", "HH", "IMP", "ACUTE", "NONAC", "OBSENC", "PRENC", "SS", "VR"}


def archive_bytes(export) -> bytes:
    return b"".join(decrypted_chunks(export.storage_name))


def open_archive(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def bundle_of(archive: zipfile.ZipFile) -> dict:
    return json.loads(archive.read("fhir-bundle.json"))


def _code(value) -> str:
    """A code element or the code of a CodeableConcept's single coding."""
    if isinstance(value, dict):
        (coding,) = value["coding"]
        return coding["code"]
    return value


def _references(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference":
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


def bundle_problems(bundle: dict) -> list[str]:
    """Everything wrong with a bundle as a FHIR R4 collection of our exports; [] when none."""
    problems = []
    Bundle.model_validate(bundle)  # every resource, by its R4B model
    if bundle.get("type") != "collection":
        problems.append(f"bundle type {bundle.get('type')}")
    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    if len(set(urls)) != len(urls):
        problems.append("two entries share a fullUrl")
    for url in urls:
        if not url.startswith("urn:uuid:") or len(url) != len("urn:uuid:") + 36:
            problems.append(f"fullUrl {url} is not a urn:uuid")
    known = set(urls)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        kind = resource["resourceType"]
        for reference in _references(resource):
            if reference not in known:
                problems.append(f"{kind} refers to {reference}, not in the bundle")
        for (owner, element), allowed in R4_CODES.items():
            owner_kind, _, part = owner.partition(".")
            if owner_kind != kind:
                continue
            holders = [resource] if not part else resource.get(part, [])
            holders = [holders] if isinstance(holders, dict) else holders
            for holder in holders:
                if element not in holder:
                    continue
                value = holder[element]
                code = _code(value)
                if code not in allowed:
                    problems.append(f"{owner}.{element} = {code!r} is not an R4 code")
                system = CONCEPT_SYSTEMS.get((owner, element))
                if system and value["coding"][0].get("system") != system:
                    problems.append(f"{owner}.{element} has the system {value['coding'][0].get('system')}")
        if kind == "Encounter" and resource["class"]["code"] not in ENCOUNTER_CLASSES:
            problems.append(f"Encounter.class {resource['class']['code']}")
        if kind == "Consent" and not (resource.get("policy") or resource.get("policyRule")):
            problems.append("ppc-1: a Consent without a policy or policyRule")
        if kind == "AllergyIntolerance":
            if resource["verificationStatus"]["coding"][0]["code"] == "entered-in-error":
                if "clinicalStatus" in resource:
                    problems.append("ait-2: a clinicalStatus on an entered-in-error allergy")
            elif "clinicalStatus" not in resource:
                problems.append("ait-1: an allergy without a clinicalStatus")
    return problems
