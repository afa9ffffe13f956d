"""Staff pages and the patient portal: form → service / selector → template.

Patient-scoped pages are open to every signed-in user (staff with a verified second factor):
records.policies decides, and a patient the user may not see is the same 404 as a missing one.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Role
from records import policies, selectors, services
from records.decorators import ALL_ROLES, CLINICIANS, STAFF_WITH_PATIENTS, patient_visible, roles_required
from records.downloads import document_download_response
from records.forms import (
    BreakGlassForm,
    BreakGlassReviewForm,
    CareTeamForm,
    ContactForm,
    DocumentUploadForm,
    NoteAmendForm,
    PatientForm,
    PatientSearchForm,
    record_form_class,
)
from records.models import Patient
from records.record_types import RECORD_TYPES

SECTION_TITLES = {
    "encounters": "Encounters",
    "notes": "Notes",
    "conditions": "Problems",
    "medications": "Medications",
    "allergies": "Allergies",
    "observations": "Observations",
    "appointments": "Appointments",
}


def _apply(form, action):
    """Run a service; its validation errors go onto the form. Returns the result or None."""
    try:
        return action()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, messages_ in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages_)
        else:
            form.add_error(None, error.messages)
        return None


def _display(record, name):
    value = getattr(record, name)
    display = getattr(record, f"get_{name}_display", None)
    if display is not None:
        return display()
    if hasattr(value, "full_name"):
        return value.full_name or value.email
    if value is None or value == "":
        return "—"
    return value


def _section(name, records, patient, user, purpose):
    record_type = RECORD_TYPES[name]
    columns = record_type.input_fields
    can_add = policies.can_write(user, purpose, record_type.add_permission)
    rows = []
    for record in records:
        row = {
            "record": record,
            "cells": [_display(record, column) for column in columns],
            "abnormal": getattr(record, "abnormal", False),
        }
        row["can_edit"] = policies.can_edit_record(user, purpose, record_type, record)
        if name == "notes":
            row["can_sign"] = policies.can_sign_note(user, purpose, record)
            row["can_amend"] = policies.can_amend_note(user, purpose, record)
        rows.append(row)
    labels = [record_type.model._meta.get_field(column).verbose_name.capitalize() for column in columns]
    return {"name": name, "title": SECTION_TITLES[name], "columns": labels, "rows": rows, "can_add": can_add}


@roles_required(*STAFF_WITH_PATIENTS)
@require_http_methods(["GET", "POST"])
def patient_search(request):
    """GET lists the first patients the user may see; a search is POSTed, so that names and
    dates of birth never appear in URLs (logs, browser history)."""
    form = PatientSearchForm(request.POST or None)
    patients, total = [], None
    if request.method == "POST":
        if form.is_valid():
            terms = {name: value for name, value in form.cleaned_data.items() if value}
            patients, total = selectors.patient_search(user=request.user, terms=terms, limit=50)
    else:
        patients, total = selectors.patient_search(user=request.user, terms={}, limit=50)
    return render(
        request,
        "records/search.html",
        {
            "form": form,
            "patients": patients,
            "total": total,
            "searched": request.method == "POST",
            "may_register": policies.may_register_patient(request.user),
        },
    )


@roles_required(Role.RECEPTIONIST)
@require_http_methods(["GET", "POST"])
def patient_register(request):
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        patient = _apply(form, lambda: services.patient_register(actor=request.user, data=form.cleaned_data))
        if patient is not None:
            messages.success(request, f"Patient registered with medical record number {patient.mrn}.")
            return redirect("records:chart", patient_id=patient.pk)
    return render(request, "records/patient_form.html", {"form": form, "title": "Register a patient"})


@roles_required(*ALL_ROLES)
@patient_visible
@require_http_methods(["GET", "POST"])
def patient_edit(request, patient_id):
    patient, purpose = selectors.patient_get(user=request.user, patient_id=patient_id)
    if not policies.can_write(request.user, purpose, "records.change_patient"):
        raise PermissionDenied
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        if _apply(form, lambda: services.patient_update(actor=request.user, patient_id=patient_id, data=data)):
            messages.success(request, "Demographics saved.")
            return redirect("records:chart", patient_id=patient_id)
    return render(
        request, "records/patient_form.html", {"form": form, "title": "Edit demographics", "patient": patient}
    )


@roles_required(*ALL_ROLES)
@patient_visible
@require_GET
def patient_chart(request, patient_id):
    chart = selectors.patient_chart(user=request.user, patient_id=patient_id)
    user, purpose = request.user, chart.purpose
    sections = [_section(name, records, chart.patient, user, purpose) for name, records in chart.sections.items()]
    return render(
        request,
        "records/chart.html",
        {
            "chart": chart,
            "patient": chart.patient,
            "sections": sections,
            "may_edit_demographics": policies.can_write(user, purpose, "records.change_patient"),
            "may_manage_team": policies.can_write(user, purpose, "records.add_careteammembership"),
            "endable_memberships": {
                membership.pk
                for membership in chart.care_team
                if policies.can_end_membership(user, purpose, membership)
            },
            "may_upload": policies.can_write(user, purpose, "records.add_document"),
            "may_delete_documents": policies.can_write(user, purpose, "records.delete_document"),
            "shows_care_team": policies.can_read(user, purpose, "care_team"),
            "shows_documents": policies.can_read(user, purpose, "document"),
        },
    )


@roles_required(*ALL_ROLES)
@patient_visible
@require_http_methods(["GET", "POST"])
def record_add(request, patient_id, record_type_name):
    if record_type_name not in RECORD_TYPES:
        raise Http404
    patient, purpose = selectors.patient_for(user=request.user, patient_id=patient_id)
    if not policies.can_write(request.user, purpose, RECORD_TYPES[record_type_name].add_permission):
        raise PermissionDenied
    form_class = record_form_class(record_type_name, user=request.user, patient=patient)
    form = form_class(request.POST or None, instance=RECORD_TYPES[record_type_name].model(patient=patient))
    if request.method == "POST" and form.is_valid():
        created = _apply(
            form,
            lambda: services.record_create(
                actor=request.user,
                patient_id=patient.pk,
                record_type_name=record_type_name,
                data=form.cleaned_data,
            ),
        )
        if created is not None:
            messages.success(request, f"{SECTION_TITLES[record_type_name]}: saved.")
            return redirect(reverse("records:chart", args=[patient.pk]) + f"#{record_type_name}")
    return render(
        request,
        "records/record_form.html",
        {"form": form, "patient": patient, "title": f"Add to {SECTION_TITLES[record_type_name].lower()}"},
    )


@roles_required(*ALL_ROLES)
@patient_visible
@require_http_methods(["GET", "POST"])
def record_edit(request, patient_id, record_type_name, record_id):
    if record_type_name not in RECORD_TYPES:
        raise Http404
    record = selectors.record_get(
        user=request.user, patient_id=patient_id, record_type_name=record_type_name, record_id=record_id
    )
    purpose = policies.purpose_for(request.user, record.patient)
    if not policies.can_edit_record(request.user, purpose, RECORD_TYPES[record_type_name], record):
        raise PermissionDenied
    form_class = record_form_class(record_type_name, user=request.user, patient=record.patient)
    form = form_class(request.POST or None, instance=record)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        updated = _apply(
            form,
            lambda: services.record_update(
                actor=request.user,
                patient_id=patient_id,
                record_type_name=record_type_name,
                record_id=record_id,
                data=data,
            ),
        )
        if updated is not None:
            messages.success(request, f"{SECTION_TITLES[record_type_name]}: saved.")
            return redirect(reverse("records:chart", args=[patient_id]) + f"#{record_type_name}")
    return render(
        request,
        "records/record_form.html",
        {"form": form, "patient": record.patient, "title": f"Edit {SECTION_TITLES[record_type_name].lower()}"},
    )


@roles_required(*ALL_ROLES)
@patient_visible
@require_POST
def note_sign(request, patient_id, note_id):
    try:
        services.note_sign(actor=request.user, patient_id=patient_id, note_id=note_id)
        messages.success(request, "Note signed. It can no longer be changed; corrections are amendments.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("records:chart", args=[patient_id]) + "#notes")


@roles_required(*ALL_ROLES)
@patient_visible
@require_http_methods(["GET", "POST"])
def note_amend(request, patient_id, note_id):
    original = selectors.record_get(
        user=request.user, patient_id=patient_id, record_type_name="notes", record_id=note_id
    )
    services.authorize_write(
        actor=request.user,
        patient_id=patient_id,
        permission="records.add_clinicalnote",
        record_type="clinical_note",
        action="amend",
    )
    form = NoteAmendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        amendment = _apply(
            form,
            lambda: services.note_amend(
                actor=request.user, patient_id=patient_id, note_id=note_id, body=form.cleaned_data["body"]
            ),
        )
        if amendment is not None:
            messages.success(request, "Amendment saved as a draft: sign it to complete it.")
            return redirect(reverse("records:chart", args=[patient_id]) + "#notes")
    return render(
        request,
        "records/record_form.html",
        {"form": form, "patient": original.patient, "title": "Amend a signed note", "original": original},
    )


@roles_required(*ALL_ROLES)
@patient_visible
@require_http_methods(["GET", "POST"])
def care_team_add(request, patient_id):
    patient, purpose = selectors.patient_for(user=request.user, patient_id=patient_id, record_type="care_team")
    if not policies.can_write(request.user, purpose, "records.add_careteammembership"):
        raise PermissionDenied
    form = CareTeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        added = _apply(
            form,
            lambda: services.care_team_add(
                actor=request.user,
                patient_id=patient_id,
                member=form.cleaned_data["member"],
                team_role=form.cleaned_data["team_role"],
            ),
        )
        if added is not None:
            messages.success(request, "Care team updated.")
            return redirect(reverse("records:chart", args=[patient_id]) + "#care-team")
    return render(request, "records/record_form.html", {"form": form, "patient": patient, "title": "Add to care team"})


@roles_required(*ALL_ROLES)
@patient_visible
@require_POST
def care_team_end(request, patient_id, membership_id):
    services.care_team_end(actor=request.user, patient_id=patient_id, membership_id=membership_id)
    messages.success(request, "Care team membership ended.")
    return redirect(reverse("records:chart", args=[patient_id]) + "#care-team")


@roles_required(*ALL_ROLES)
@patient_visible
@require_http_methods(["GET", "POST"])
def document_upload(request, patient_id):
    patient, purpose = selectors.patient_for(user=request.user, patient_id=patient_id, record_type="document")
    if not policies.can_write(request.user, purpose, "records.add_document"):
        raise PermissionDenied
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        document = _apply(
            form,
            lambda: services.document_upload(
                actor=request.user,
                patient_id=patient_id,
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
            ),
        )
        if document is not None:
            messages.success(request, "Document uploaded.")
            return redirect(reverse("records:chart", args=[patient_id]) + "#documents")
    return render(
        request,
        "records/record_form.html",
        {"form": form, "patient": patient, "title": "Upload a document", "multipart": True},
    )


@roles_required(*ALL_ROLES)
@patient_visible
@require_GET
def document_download(request, patient_id, document_id):
    return document_download_response(user=request.user, patient_id=patient_id, document_id=document_id)


@roles_required(*ALL_ROLES)
@patient_visible
@require_POST
def document_delete(request, patient_id, document_id):
    services.document_delete(actor=request.user, patient_id=patient_id, document_id=document_id)
    messages.success(request, "Document deleted.")
    return redirect(reverse("records:chart", args=[patient_id]) + "#documents")


@roles_required(*STAFF_WITH_PATIENTS)
@require_GET
def appointments_today(request):
    appointments = selectors.appointments_today(user=request.user)
    return render(request, "records/today.html", {"appointments": appointments})


@roles_required(*CLINICIANS)
@require_http_methods(["GET", "POST"])
def break_glass(request):
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        access = _apply(
            form,
            lambda: services.break_glass_open(
                actor=request.user, mrn=form.cleaned_data["mrn"], reason=form.cleaned_data["reason"]
            ),
        )
        if access is not None:
            messages.warning(
                request,
                f"Emergency access granted until {access.expires_at:%H:%M} UTC. "
                "It is recorded and the compliance officers have been told.",
            )
            return redirect("records:chart", patient_id=access.patient_id)
    return render(request, "records/break_glass.html", {"form": form})


@roles_required(Role.COMPLIANCE)
@require_GET
def break_glass_reviews(request):
    status = request.GET.get("status") or "pending"
    accesses = list(selectors.break_glass_review_list(user=request.user, status=status)[:200])
    return render(
        request,
        "records/break_glass_reviews.html",
        {"accesses": accesses, "status": status, "form": BreakGlassReviewForm()},
    )


@roles_required(Role.COMPLIANCE)
@require_POST
def break_glass_review(request, access_id):
    form = BreakGlassReviewForm(request.POST)
    if form.is_valid():
        services.break_glass_review(
            actor=request.user,
            access_id=access_id,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, "Review recorded.")
    else:
        messages.error(request, "Choose justified or not justified.")
    return redirect("records:break-glass-reviews")


def _own_patient(request) -> Patient:
    patient = selectors.portal_patient_get(user=request.user)
    if patient is None:
        raise Http404("No record is linked to your account.")
    return patient


@roles_required(Role.PATIENT)
@require_GET
def portal_home(request):
    patient = selectors.portal_patient_get(user=request.user)
    if patient is None:
        return render(request, "portal/no_record.html")
    chart = selectors.patient_chart(user=request.user, patient_id=patient.pk)
    return render(request, "portal/home.html", {"chart": chart, "patient": chart.patient})


@roles_required(Role.PATIENT)
@require_GET
def portal_document_download(request, document_id):
    return document_download_response(user=request.user, patient_id=_own_patient(request).pk, document_id=document_id)


@roles_required(Role.PATIENT)
@require_GET
def portal_access_log(request):
    return render(request, "portal/access_log.html", {"entries": selectors.patient_access_history(user=request.user)})


@roles_required(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def portal_contact(request):
    patient = _own_patient(request)
    form = ContactForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        if _apply(form, lambda: services.patient_update_contact(actor=request.user, data=data)):
            messages.success(request, "Your contact details are saved.")
            return redirect("portal:home")
    return render(request, "portal/contact.html", {"form": form})
