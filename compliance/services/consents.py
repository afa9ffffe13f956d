"""Every write of consent: a patient's own decision (portal, API), a paper form recorded by staff,
and a new version of a purpose's text (Django admin).

Each decision is a new row, never an update, and is audited as an access event on the patient in
the same transaction. A decision names the version the person read: an older one is refused, so
nobody consents to a text they have not seen.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404

from audit.services import record_access, record_security_event
from compliance import policies, selectors
from compliance.models import ConsentDecision, ConsentPurpose, ConsentVersion
from records.models import Patient
from records.selectors import NOT_FOUND_MESSAGE, portal_patient_get

Decision = ConsentDecision.Decision
Channel = ConsentDecision.Channel


def _decide(*, actor, patient: Patient, purpose_key: str, decision: str, version, channel: str, purpose: str):
    if decision not in Decision.values:
        raise ValidationError({"decision": "Choose to give or to withdraw the consent."})
    consent_purpose = selectors.consent_purpose_get(key=purpose_key)
    current = consent_purpose.current_version
    if version != current.version:
        raise ValidationError(
            {
                "version": f"The text of this consent has changed: version {current.version} is current. "
                "Read it and answer again."
            },
            code="stale_version",
        )
    with transaction.atomic():
        # One decision at a time per patient: two clicks cannot both pass the checks below.
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        latest = selectors.latest_decision(patient_id=patient.pk, purpose_id=consent_purpose.pk)
        given_now = latest is not None and latest.decision == Decision.GIVEN
        if decision == Decision.GIVEN and given_now and latest.version_id == current.pk:
            raise ValidationError({"decision": "You have already given this consent."}, code="already_given")
        if decision == Decision.WITHDRAWN and not given_now:
            raise ValidationError(
                {"decision": "This consent was not given, so there is nothing to withdraw."}, code="not_given"
            )
        record = ConsentDecision(
            patient=patient,
            purpose=consent_purpose,
            version=current,
            decision=decision,
            channel=channel,
            recorded_by=actor,
        )
        record.full_clean()
        record.save()
        record_access(
            actor=actor,
            patient_id=patient.pk,
            record_type="consent",
            action=f"consent.{decision}",
            purpose=purpose,
            record_id=record.pk,
            details={"purpose": consent_purpose.key, "version": current.version, "channel": channel},
        )
    return record


def consent_decide(*, actor, purpose_key: str, decision: str, version, channel: str = Channel.PORTAL):
    """A patient gives or withdraws one of their own consents (portal or API)."""
    if not policies.may_decide_own_consent(actor):
        raise PermissionDenied("Only patients answer their own consents here.")
    if channel not in (Channel.PORTAL, Channel.API):
        raise ValidationError({"channel": "A patient answers in the portal or through the API."})
    patient = portal_patient_get(user=actor)
    if patient is None:
        raise Http404(NOT_FOUND_MESSAGE)
    return _decide(
        actor=actor,
        patient=patient,
        purpose_key=purpose_key,
        decision=decision,
        version=version,
        channel=channel,
        purpose=policies.Purpose.SELF,
    )


def consent_record_paper(*, actor, patient_id, purpose_key: str, decision: str, version):
    """Staff record a consent the patient gave or withdrew on a paper form; the row names them."""
    if not policies.may_record_paper_consent(actor):
        raise PermissionDenied("Your role may not record consents.")
    patient, purpose = selectors.paper_consent_patient_for(user=actor, patient_id=patient_id, action="record")
    return _decide(
        actor=actor,
        patient=patient,
        purpose_key=purpose_key,
        decision=decision,
        version=version,
        channel=Channel.PAPER,
        purpose=purpose,
    )


def consent_purpose_create(*, actor, key: str, name: str, text: str) -> ConsentPurpose:
    """A new purpose and the first version of its text (Django admin)."""
    with transaction.atomic():
        purpose = ConsentPurpose(key=key, name=name)
        purpose.full_clean()
        purpose.save()
        consent_version_publish(actor=actor, purpose=purpose, text=text)
    return purpose


def consent_purpose_update(*, actor, purpose: ConsentPurpose, name: str, is_active: bool) -> ConsentPurpose:
    """Rename or retire a purpose; its key and its texts never change."""
    with transaction.atomic():
        purpose.name, purpose.is_active = name, is_active
        purpose.full_clean()
        purpose.save(update_fields=["name", "is_active"])
        record_security_event(
            action="consent.purpose_update", actor=actor, details={"purpose": purpose.key, "is_active": is_active}
        )
    return purpose


def consent_version_publish(*, actor, purpose: ConsentPurpose, text: str) -> ConsentVersion:
    """A new version of the purpose's text: from now on every patient is asked again."""
    with transaction.atomic():
        ConsentPurpose.objects.select_for_update().filter(pk=purpose.pk).first()
        last = ConsentVersion.objects.filter(purpose=purpose).aggregate(last=Max("version"))["last"] or 0
        version = ConsentVersion(purpose=purpose, version=last + 1, text=text, published_by=actor)
        version.full_clean()
        version.save()
        record_security_event(
            action="consent.version_publish",
            actor=actor,
            details={"purpose": purpose.key, "version": version.version},
        )
    return version
