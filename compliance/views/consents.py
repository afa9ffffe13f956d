"""The consent pages: the patient's "My privacy" page in the portal, and the staff page that
records a consent given or withdrawn on paper. Form -> compliance.services -> redirect with a
message; the reads go through compliance.selectors (audited)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.roles import Role
from compliance import selectors
from compliance.forms import ConsentDecisionForm
from compliance.models import ConsentDecision
from compliance.policies import PAPER_CONSENT_ROLES
from compliance.services.consents import consent_decide, consent_record_paper
from compliance.views.exports import export_context
from records.decorators import roles_required

DONE_MESSAGES = {
    ConsentDecision.Decision.GIVEN: "Consent given: {name}.",
    ConsentDecision.Decision.WITHDRAWN: "Consent withdrawn: {name}.",
}


def _errors_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for messages_ in error.message_dict.values() for message in messages_]
    return error.messages


def _apply_decision(request, form: ConsentDecisionForm, record) -> bool:
    """Run the decision through `record(purpose_key, decision, version)`; a message either way."""
    if not form.is_valid():
        messages.error(request, "That answer could not be read. Please use the buttons on this page.")
        return False
    data = form.cleaned_data
    try:
        decision = record(data["purpose"], data["decision"], data["version"])
    except ValidationError as error:
        for text in _errors_of(error):
            messages.error(request, text)
        return False
    except Http404:
        messages.error(request, "That consent does not exist (any more). Nothing was changed.")
        return False
    messages.success(request, DONE_MESSAGES[decision.decision].format(name=decision.purpose.name))
    return True


@roles_required(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def portal_privacy(request):
    if request.method == "POST":
        form = ConsentDecisionForm(request.POST)
        _apply_decision(
            request,
            form,
            lambda key, decision, version: consent_decide(
                actor=request.user, purpose_key=key, decision=decision, version=version
            ),
        )
        return redirect("compliance:portal-privacy")
    overview = selectors.portal_consent_overview(user=request.user)
    if overview is None:
        return render(request, "portal/no_record.html")
    return render(
        request,
        "portal/privacy.html",
        {
            "overview": overview,
            "privacy_requests": selectors.own_request_list(user=request.user),
            **export_context(request.user),
        },
    )


@roles_required(*PAPER_CONSENT_ROLES)
def patient_consents(request, patient_id):
    # The patient first, whatever the method: a hidden patient is the same 404 as a missing one.
    patient, _ = selectors.paper_consent_patient_for(
        user=request.user, patient_id=patient_id, action=request.method.lower()
    )
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if request.method == "POST":
        form = ConsentDecisionForm(request.POST)
        _apply_decision(
            request,
            form,
            lambda key, decision, version: consent_record_paper(
                actor=request.user, patient_id=patient_id, purpose_key=key, decision=decision, version=version
            ),
        )
        return redirect("compliance:patient-consents", patient_id=patient.pk)
    overview = selectors.patient_consent_overview(user=request.user, patient_id=patient.pk)
    return render(request, "compliance/patient_consents.html", {"overview": overview})
