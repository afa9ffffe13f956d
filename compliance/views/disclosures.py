"""The accounting of disclosures: recording a disclosure (compliance officers, doctors, nurses),
a patient's disclosures and the accounting requests (compliance officers), and the patient's own
page in the portal."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Role
from compliance.forms.disclosures import AccountingExtendForm, AccountingRequestForm, DisclosureForm
from compliance.selectors import disclosures as selectors
from compliance.services import disclosures as services
from compliance.views import apply_service
from records.decorators import roles_required
from records.selectors import portal_patient_get


@roles_required(Role.COMPLIANCE, Role.DOCTOR, Role.NURSE)
@require_http_methods(["GET", "POST"])
def disclosure_new(request):
    initial = {"disclosed_at": timezone.now()}
    if request.GET.get("patient", "").isdigit():
        initial["patient_id"] = request.GET["patient"][:18]
    form = DisclosureForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        disclosure = apply_service(form, lambda: services.disclosure_record(actor=request.user, **form.cleaned_data))
        if disclosure is not None:
            messages.success(request, f"Disclosure #{disclosure.pk} recorded for patient #{disclosure.patient_id}.")
            if request.user.role is Role.COMPLIANCE:
                return redirect("compliance:disclosure-list", patient_id=disclosure.patient_id)
            return redirect("compliance:disclosure-new")
    return render(request, "compliance/disclosures/form.html", {"form": form, "title": "Record a disclosure"})


@roles_required(Role.COMPLIANCE)
@require_GET
def disclosure_list(request, patient_id):
    patient, disclosures = selectors.disclosure_list_for_patient(user=request.user, patient_id=patient_id)
    return render(request, "compliance/disclosures/list.html", {"patient": patient, "disclosures": disclosures})


@roles_required(Role.COMPLIANCE)
@require_http_methods(["GET", "POST"])
def accounting_list(request):
    form = AccountingRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = apply_service(
            form,
            lambda: services.accounting_request_open(actor=request.user, patient_id=form.cleaned_data["patient_id"]),
        )
        if created is not None:
            messages.success(
                request, f"Accounting request #{created.pk} recorded; it is due by {created.due_at:%Y-%m-%d}."
            )
            return redirect("compliance:accounting-detail", accounting_id=created.pk)
    return render(
        request,
        "compliance/disclosures/accountings.html",
        {"form": form, "requests": selectors.accounting_request_list(user=request.user), "now": timezone.now()},
    )


@roles_required(Role.COMPLIANCE)
@require_GET
def accounting_detail(request, accounting_id):
    accounting = selectors.accounting_get(user=request.user, request_id=accounting_id)
    return render(request, "compliance/disclosures/accounting.html", {"accounting": accounting, "now": timezone.now()})


@roles_required(Role.COMPLIANCE)
@require_POST
def accounting_produced(request, accounting_id):
    selectors.accounting_request_get(user=request.user, request_id=accounting_id)
    try:
        services.accounting_mark_produced(actor=request.user, request_id=accounting_id)
        messages.success(request, "The accounting is recorded as provided to the patient.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("compliance:accounting-detail", accounting_id=accounting_id)


@roles_required(Role.COMPLIANCE)
@require_http_methods(["GET", "POST"])
def accounting_extend(request, accounting_id):
    accounting_request = selectors.accounting_request_get(user=request.user, request_id=accounting_id)
    form = AccountingExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        extended = apply_service(
            form,
            lambda: services.accounting_request_extend(
                actor=request.user, request_id=accounting_id, reason=form.cleaned_data["reason"]
            ),
        )
        if extended is not None:
            messages.success(request, f"Deadline extended to {extended.due_at:%Y-%m-%d}. Tell the patient the reason.")
            return redirect("compliance:accounting-detail", accounting_id=accounting_id)
    return render(
        request,
        "compliance/disclosures/form.html",
        {
            "form": form,
            "title": f"Extend accounting request #{accounting_request.pk}",
            "request_row": accounting_request,
        },
    )


@roles_required(Role.PATIENT)
@require_GET
def portal_disclosures(request):
    disclosures = selectors.disclosure_list_own(user=request.user)
    return render(
        request,
        "compliance/disclosures/portal.html",
        {
            "disclosures": disclosures,
            "requests": selectors.own_accounting_requests(user=request.user),
        },
    )


@roles_required(Role.PATIENT)
@require_POST
def portal_accounting_request(request):
    patient = portal_patient_get(user=request.user)
    if patient is None:
        messages.error(request, "No record is linked to your account.")
        return redirect("portal-disclosures:own")
    created = services.accounting_request_open(actor=request.user, patient_id=patient.pk)
    messages.success(
        request, f"Your request is recorded. The clinic will send you the accounting by {created.due_at:%B %-d, %Y}."
    )
    return redirect("portal-disclosures:own")
