"""Pages of data-subject requests: the patient's in the portal, the compliance officers' queue.

form → compliance.services / compliance.selectors → template. A request the user may not see
(another patient's, a forged number) is the same 404 as a missing one. Each action posts to its
own URL; bad input shows the request page again with the form's errors next to the fields, and a
step that succeeded says so (Django messages).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Role
from compliance import selectors
from compliance.forms import (
    AssignForm,
    CompleteForm,
    ExtendForm,
    RectificationApplyForm,
    RectificationRequestForm,
    RefuseForm,
    RequestOpenForm,
    RequestRecordForm,
    RestrictionLiftForm,
    VerifyIdentityForm,
)
from compliance.models import DataSubjectRequest, RequestEvent
from compliance.services import requests as services
from records.decorators import roles_required
from records.models import Patient
from records.selectors import patient_identity_find, portal_patient_get

Status = DataSubjectRequest.Status


def apply_to_form(form, action):
    """Run a service; its validation errors go onto the form. Returns the result or None."""
    try:
        return action()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, field_messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_messages)
        else:
            form.add_error(None, error.messages)
        return None


def proposed_rows(dsr) -> list[dict]:
    """The proposed corrections of a request, each with its label, the value it replaced once
    applied, and whether it was applied."""
    previous = services.previous_values_of(dsr)
    return [
        {
            "name": name,
            "label": Patient._meta.get_field(name).verbose_name.capitalize(),
            "value": value,
            "previous": previous.get(name),
            "applied": name in dsr.applied_fields,
        }
        for name, value in services.proposed_values_of(dsr).items()
    ]


def _portal_context(request) -> dict:
    return {"privacy_requests": selectors.own_request_list(user=request.user)}


@roles_required(Role.PATIENT)
@require_GET
def portal_request_list(request):
    patient = portal_patient_get(user=request.user)
    if patient is None:
        return render(request, "portal/no_record.html")
    return render(request, "portal/privacy_requests_page.html", _portal_context(request))


@roles_required(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def portal_request_new(request):
    if portal_patient_get(user=request.user) is None:
        return render(request, "portal/no_record.html")
    form = RequestOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        opened = apply_to_form(
            form,
            lambda: services.request_open(
                actor=request.user, kind=form.cleaned_data["kind"], details=form.cleaned_data["details"]
            ),
        )
        if opened is not None:
            messages.success(
                request, f"Request {opened.number} received. We will answer by {opened.due_on:%Y-%m-%d} at the latest."
            )
            return redirect("privacy:request-detail", request_id=opened.pk)
    return render(request, "portal/privacy_requests_form.html", {"form": form, "title": "Make a privacy request"})


@roles_required(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def portal_rectification_new(request):
    patient = portal_patient_get(user=request.user)
    if patient is None:
        return render(request, "portal/no_record.html")
    form = RectificationRequestForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        opened = apply_to_form(
            form,
            lambda: services.request_open(
                actor=request.user,
                kind=DataSubjectRequest.Kind.RECTIFICATION,
                details=form.cleaned_data["details"],
                proposed_values=form.proposed_values(),
            ),
        )
        if opened is not None:
            messages.success(
                request,
                f"Correction request {opened.number} received. Your record stays as it is until the corrections are "
                f"reviewed, by {opened.due_on:%Y-%m-%d} at the latest.",
            )
            return redirect("privacy:request-detail", request_id=opened.pk)
    return render(request, "portal/privacy_requests_correction.html", {"form": form})


@roles_required(Role.PATIENT)
@require_GET
def portal_request_detail(request, request_id):
    dsr = selectors.own_request_get(user=request.user, request_id=request_id)
    return render(
        request,
        "portal/privacy_requests_detail.html",
        {
            "dsr": dsr,
            "history": selectors.request_history(dsr),
            "proposed_rows": proposed_rows(dsr),
        },
    )


@roles_required(Role.PATIENT)
@require_POST
def portal_request_withdraw(request, request_id):
    try:
        dsr = services.request_withdraw(actor=request.user, request_id=request_id)
        messages.success(request, f"Request {dsr.number} withdrawn.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("privacy:request-detail", request_id=request_id)


QUEUE_FILTERS = ("status", "kind", "assignee", "overdue")


@roles_required(Role.COMPLIANCE)
@require_GET
def request_queue(request):
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    status = status if status in Status.values else ""
    kind = kind if kind in DataSubjectRequest.Kind.values else ""
    assignee = request.GET.get("assignee", "")
    assignee_id = int(assignee) if assignee.isdigit() and len(assignee) < 19 else None
    overdue = request.GET.get("overdue") == "1"
    queue = selectors.request_queue(
        user=request.user, status=status, kind=kind, assignee_id=assignee_id, overdue=overdue
    )
    today = selectors.today()
    return render(
        request,
        "compliance/requests/queue.html",
        {
            "rows": [{"dsr": dsr, "overdue": dsr.is_overdue(today)} for dsr in queue],
            "statuses": Status.choices,
            "kinds": DataSubjectRequest.Kind.choices,
            "officers": selectors.assignable_officers(),
            "filters": {"status": status, "kind": kind, "assignee": assignee_id, "overdue": overdue},
            "today": today,
        },
    )


@roles_required(Role.COMPLIANCE)
@require_http_methods(["GET", "POST"])
def request_new(request):
    form = RequestRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def record():
            patient = patient_identity_find(user=request.user, mrn=data["mrn"])
            if patient is None:
                raise ValidationError({"mrn": "No patient has this medical record number."})
            return services.request_record(
                actor=request.user,
                patient_id=patient.pk,
                kind=data["kind"],
                channel=data["channel"],
                received_on=data["received_on"],
                identity_method=data["identity_method"],
                identity_note=data["identity_note"],
                details=data["details"],
            )

        recorded = apply_to_form(form, record)
        if recorded is not None:
            messages.success(request, f"Request {recorded.number} recorded, due {recorded.due_on:%Y-%m-%d}.")
            return redirect("compliance:request-detail", request_id=recorded.pk)
    return render(request, "compliance/requests/new.html", {"form": form})


def _detail(request, dsr, status=200, **forms):
    today = selectors.today()
    proposed = services.proposed_values_of(dsr)
    history = selectors.request_history(dsr)
    context = {
        "dsr": dsr,
        "patient": dsr.patient,
        "history": history,
        "overdue": dsr.is_overdue(today),
        "proposed_rows": proposed_rows(dsr),
        "restriction_liftable": dsr.kind in services.RESTRICTING_KINDS
        and dsr.status == Status.COMPLETED
        and not any(event.action == RequestEvent.Action.RESTRICTION_LIFTED for event in history),
        "verify_form": forms.get("verify_form") or VerifyIdentityForm(prefix="verify"),
        "assign_form": forms.get("assign_form") or AssignForm(prefix="assign"),
        "extend_form": forms.get("extend_form") or ExtendForm(prefix="extend"),
        "complete_form": forms.get("complete_form") or CompleteForm(prefix="complete"),
        "refuse_form": forms.get("refuse_form") or RefuseForm(prefix="refuse"),
        "apply_form": forms.get("apply_form") or RectificationApplyForm(prefix="apply", proposed=proposed),
        "lift_form": forms.get("lift_form") or RestrictionLiftForm(prefix="lift"),
    }
    return render(request, "compliance/requests/detail.html", context, status=status)


@roles_required(Role.COMPLIANCE)
@require_GET
def request_detail(request, request_id):
    return _detail(request, selectors.request_get(user=request.user, request_id=request_id))


def _action(request, request_id, *, form_name, form, run, done):
    """POST of one action of the request page: the form, then the service; back to the page."""
    dsr = selectors.request_get(user=request.user, request_id=request_id)
    if form.is_valid() and apply_to_form(form, lambda: run(form.cleaned_data)) is not None:
        messages.success(request, done)
        return redirect("compliance:request-detail", request_id=dsr.pk)
    reasons = " ".join(form.non_field_errors()) or "see the form below."
    messages.error(request, f"The step was not recorded: {reasons}")
    return _detail(request, dsr, status=400, **{form_name: form})


@roles_required(Role.COMPLIANCE)
@require_POST
def request_verify(request, request_id):
    return _action(
        request,
        request_id,
        form_name="verify_form",
        form=VerifyIdentityForm(request.POST, prefix="verify"),
        run=lambda data: services.request_verify_identity(
            actor=request.user, request_id=request_id, method=data["method"], note=data["note"]
        ),
        done="Identity verified.",
    )


@roles_required(Role.COMPLIANCE)
@require_POST
def request_assign(request, request_id):
    return _action(
        request,
        request_id,
        form_name="assign_form",
        form=AssignForm(request.POST, prefix="assign"),
        run=lambda data: services.request_assign(actor=request.user, request_id=request_id, assignee=data["assignee"]),
        done="Request assigned.",
    )


@roles_required(Role.COMPLIANCE)
@require_POST
def request_extend(request, request_id):
    return _action(
        request,
        request_id,
        form_name="extend_form",
        form=ExtendForm(request.POST, prefix="extend"),
        run=lambda data: services.request_extend(
            actor=request.user, request_id=request_id, months=data["months"], reason=data["reason"]
        ),
        done="Due date extended.",
    )


@roles_required(Role.COMPLIANCE)
@require_POST
def request_complete(request, request_id):
    return _action(
        request,
        request_id,
        form_name="complete_form",
        form=CompleteForm(request.POST, prefix="complete"),
        run=lambda data: services.request_complete(actor=request.user, request_id=request_id, note=data["note"]),
        done="Request completed.",
    )


@roles_required(Role.COMPLIANCE)
@require_POST
def request_refuse(request, request_id):
    return _action(
        request,
        request_id,
        form_name="refuse_form",
        form=RefuseForm(request.POST, prefix="refuse"),
        run=lambda data: services.request_refuse(actor=request.user, request_id=request_id, reason=data["reason"]),
        done="Request refused; the patient sees the reason.",
    )


@roles_required(Role.COMPLIANCE)
@require_POST
def rectification_apply(request, request_id):
    dsr = selectors.request_get(user=request.user, request_id=request_id)
    return _action(
        request,
        request_id,
        form_name="apply_form",
        form=RectificationApplyForm(request.POST, prefix="apply", proposed=services.proposed_values_of(dsr)),
        run=lambda data: services.rectification_apply(
            actor=request.user, request_id=request_id, fields=data["fields"], reason=data["reason"]
        ),
        done="Corrections decided; the patient sees the outcome.",
    )


@roles_required(Role.COMPLIANCE)
@require_POST
def restriction_lift(request, request_id):
    return _action(
        request,
        request_id,
        form_name="lift_form",
        form=RestrictionLiftForm(request.POST, prefix="lift"),
        run=lambda data: services.restriction_lift(actor=request.user, request_id=request_id, reason=data["reason"]),
        done="Restriction lifted.",
    )
