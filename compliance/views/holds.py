"""Pages of legal holds (compliance officers): the list, placing a hold, lifting one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Role
from compliance import selectors
from compliance.forms import LegalHoldLiftForm, LegalHoldPlaceForm
from compliance.services import holds as services
from compliance.views.requests import apply_to_form
from records.decorators import roles_required
from records.selectors import patient_identity_find


def _lift_prefix(hold_id) -> str:
    return f"lift-{hold_id}"


def _list(request, *, lift_form=None, lift_hold_id=None, status=200):
    include_lifted = request.GET.get("all") == "1"
    holds = selectors.legal_hold_list(user=request.user, include_lifted=include_lifted)
    rows = [
        {
            "hold": hold,
            "lift_form": lift_form if hold.pk == lift_hold_id else LegalHoldLiftForm(prefix=_lift_prefix(hold.pk)),
        }
        for hold in holds
    ]
    return render(
        request, "compliance/holds/list.html", {"rows": rows, "include_lifted": include_lifted}, status=status
    )


@roles_required(Role.COMPLIANCE)
@require_GET
def legal_hold_list(request):
    return _list(request)


@roles_required(Role.COMPLIANCE)
@require_http_methods(["GET", "POST"])
def legal_hold_place(request):
    form = LegalHoldPlaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def place():
            patient = patient_identity_find(user=request.user, mrn=form.cleaned_data["mrn"])
            if patient is None:
                raise ValidationError({"mrn": "No patient has this medical record number."})
            return services.legal_hold_place(
                actor=request.user, patient_id=patient.pk, reason=form.cleaned_data["reason"]
            )

        hold = apply_to_form(form, place)
        if hold is not None:
            messages.success(request, f"Legal hold #{hold.pk} placed: erasure and retention purges are blocked.")
            return redirect("compliance:hold-list")
    return render(request, "compliance/holds/place.html", {"form": form})


@roles_required(Role.COMPLIANCE)
@require_POST
def legal_hold_lift(request, hold_id):
    form = LegalHoldLiftForm(request.POST, prefix=_lift_prefix(hold_id))
    if form.is_valid():
        hold = apply_to_form(
            form,
            lambda: services.legal_hold_lift(actor=request.user, hold_id=hold_id, reason=form.cleaned_data["reason"]),
        )
        if hold is not None:
            messages.success(request, f"Legal hold #{hold.pk} lifted.")
            return redirect("compliance:hold-list")
    messages.error(request, "The hold was not lifted: see the form.")
    return _list(request, lift_form=form, lift_hold_id=hold_id, status=400)
