"""The incident register's pages, for compliance officers: the register sorted by what is due
first, an incident with its clocks and timeline, editing, the risk assessment, affected patients
and the notification drafts."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Role
from compliance.forms.incidents import (
    AffectedPatientsForm,
    DraftForm,
    DraftSentForm,
    IncidentAssessmentForm,
    IncidentEditForm,
    IncidentForm,
)
from compliance.models import DATA_CATEGORIES, Incident, NotificationDraft
from compliance.selectors import incidents as selectors
from compliance.services import incidents as services
from compliance.views import apply_service
from records.decorators import roles_required


def countdown(delta: datetime.timedelta) -> str:
    """'2 days 3 hours', '5 hours 10 minutes', '12 minutes'; 'overdue by ...' when negative."""
    overdue = delta.total_seconds() < 0
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if not days and (minutes or not parts):
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    text = " ".join(parts[:2])
    return f"overdue by {text}" if overdue else f"{text} left"


def _clock(deadline, now) -> dict:
    if not deadline.applies:
        state, text = "not-required", "Not required by the assessment"
    elif deadline.met_at is not None:
        state, text = "met", f"Met {deadline.met_at:%Y-%m-%d %H:%M} UTC"
    elif deadline.is_overdue(now):
        state, text = "overdue", countdown(deadline.remaining(now))
    else:
        state, text = "running", countdown(deadline.remaining(now))
    return {"deadline": deadline, "state": state, "text": text}


def _incident_or_404(request, incident_id) -> Incident:
    return selectors.incident_get(user=request.user, incident_id=incident_id)


@roles_required(Role.COMPLIANCE)
@require_GET
def incident_list(request):
    now = timezone.now()
    rows = [
        {"row": row, "clock": _clock(row.next_deadline, now) if row.next_deadline else None}
        for row in selectors.incident_register(user=request.user, now=now)
    ]
    return render(request, "compliance/incidents/list.html", {"rows": rows})


@roles_required(Role.COMPLIANCE)
@require_http_methods(["GET", "POST"])
def incident_new(request):
    initial = {"detected_at": timezone.now(), "aware_at": timezone.now()}
    if request.method == "GET" and request.GET.get("audit_event"):
        initial["audit_event_ids"] = request.GET["audit_event"][:200]
        initial["detection_method"] = Incident.DetectionMethod.AUDIT_ALERT
    form = IncidentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        incident = apply_service(form, lambda: services.incident_open(actor=request.user, data=form.cleaned_data))
        if incident is not None:
            messages.success(
                request,
                f"Incident {incident.number} opened. Its clocks run from {incident.aware_at:%Y-%m-%d %H:%M} UTC.",
            )
            return redirect("compliance:incident-detail", incident_id=incident.pk)
    return render(request, "compliance/incidents/form.html", {"form": form, "title": "Open an incident"})


@roles_required(Role.COMPLIANCE)
@require_GET
def incident_detail(request, incident_id):
    incident = _incident_or_404(request, incident_id)
    now = timezone.now()
    patients = selectors.incident_affected_patients(user=request.user, incident=incident)
    drafts = {draft.kind: draft for draft in incident.drafts.all()}
    return render(
        request,
        "compliance/incidents/detail.html",
        {
            "incident": incident,
            "clocks": [_clock(deadline, now) for deadline in incident.deadlines(linked=len(patients))],
            "affected_count": incident.affected_count(len(patients)),
            "patients": patients,
            "categories": [DATA_CATEGORIES[key] for key in incident.data_categories],
            "audit_events": selectors.incident_audit_events(user=request.user, incident=incident),
            "timeline": incident.timeline.select_related("actor"),
            "notices": [
                {"kind": kind, "label": label, "draft": drafts.get(kind)}
                for kind, label in NotificationDraft.Kind.choices
            ],
            "is_closed": incident.status == Incident.Status.CLOSED,
        },
    )


@roles_required(Role.COMPLIANCE)
@require_http_methods(["GET", "POST"])
def incident_edit(request, incident_id):
    incident = _incident_or_404(request, incident_id)
    if incident.status == Incident.Status.CLOSED:
        messages.error(request, f"Incident {incident.number} is closed: it can no longer be changed.")
        return redirect("compliance:incident-detail", incident_id=incident.pk)
    form = IncidentEditForm(request.POST or None, instance=Incident.objects.get(pk=incident.pk))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        updated = apply_service(
            form, lambda: services.incident_update(actor=request.user, incident_id=incident.pk, data=data)
        )
        if updated is not None:
            messages.success(request, f"Incident {updated.number} saved." if data else "Nothing was changed.")
            return redirect("compliance:incident-detail", incident_id=incident.pk)
    return render(
        request,
        "compliance/incidents/form.html",
        {"form": form, "title": f"Edit incident {incident.number}", "incident": incident},
    )


@roles_required(Role.COMPLIANCE)
@require_http_methods(["GET", "POST"])
def incident_assess(request, incident_id):
    incident = _incident_or_404(request, incident_id)
    if incident.status == Incident.Status.CLOSED:
        messages.error(request, f"Incident {incident.number} is closed: it can no longer be assessed.")
        return redirect("compliance:incident-detail", incident_id=incident.pk)
    form = IncidentAssessmentForm(request.POST or None, instance=Incident.objects.get(pk=incident.pk))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        assessed = apply_service(
            form, lambda: services.incident_assess(actor=request.user, incident_id=incident.pk, data=data)
        )
        if assessed is not None:
            messages.success(request, f"Risk assessment of incident {assessed.number} recorded.")
            return redirect("compliance:incident-detail", incident_id=incident.pk)
    return render(
        request,
        "compliance/incidents/form.html",
        {"form": form, "title": f"Assess incident {incident.number}", "incident": incident, "assessment": True},
    )


@roles_required(Role.COMPLIANCE)
@require_http_methods(["GET", "POST"])
def incident_patients(request, incident_id):
    incident = _incident_or_404(request, incident_id)
    form = AffectedPatientsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        added = apply_service(
            form,
            lambda: services.incident_patients_add(
                actor=request.user, incident_id=incident.pk, patient_ids=form.cleaned_data["patient_ids"]
            ),
        )
        if added is not None:
            if added:
                messages.success(request, f"{len(added)} affected patient{'s' if len(added) != 1 else ''} added.")
            else:
                messages.info(request, "Those patients were already linked to this incident.")
            return redirect("compliance:incident-detail", incident_id=incident.pk)
    return render(
        request,
        "compliance/incidents/form.html",
        {"form": form, "title": f"Add affected patients to incident {incident.number}", "incident": incident},
    )


def _kind_or_404(kind: str) -> str:
    if kind not in NotificationDraft.Kind.values:
        raise Http404("No such kind of notice.")
    return kind


@roles_required(Role.COMPLIANCE)
@require_http_methods(["GET", "POST"])
def incident_draft(request, incident_id, kind):
    incident = _incident_or_404(request, incident_id)
    draft = selectors.incident_draft_get(user=request.user, incident=incident, kind=_kind_or_404(kind))
    form = DraftForm(request.POST or None, initial={"body": draft.body if draft else ""})
    if request.method == "POST" and form.is_valid():
        saved = apply_service(
            form,
            lambda: services.incident_draft_update(
                actor=request.user, incident_id=incident.pk, kind=kind, body=form.cleaned_data["body"]
            ),
        )
        if saved is not None:
            messages.success(request, f"{saved.get_kind_display()}: notice saved.")
            return redirect("compliance:incident-draft", incident_id=incident.pk, kind=kind)
    return render(
        request,
        "compliance/incidents/draft.html",
        {
            "incident": incident,
            "kind": kind,
            "kind_label": NotificationDraft.Kind(kind).label,
            "draft": draft,
            "form": form,
            "sent_form": DraftSentForm(initial={"sent_at": timezone.now()}),
            "is_closed": incident.status == Incident.Status.CLOSED,
        },
    )


@roles_required(Role.COMPLIANCE)
@require_POST
def incident_draft_generate(request, incident_id, kind):
    incident = _incident_or_404(request, incident_id)
    try:
        draft = services.incident_draft_generate(actor=request.user, incident_id=incident.pk, kind=_kind_or_404(kind))
        messages.success(
            request,
            f"{draft.get_kind_display()}: draft written from the incident. Complete and check it before sending.",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("compliance:incident-draft", incident_id=incident.pk, kind=kind)


@roles_required(Role.COMPLIANCE)
@require_POST
def incident_draft_sent(request, incident_id, kind):
    incident = _incident_or_404(request, incident_id)
    _kind_or_404(kind)
    form = DraftSentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the date and time the notice was sent.")
        return redirect("compliance:incident-draft", incident_id=incident.pk, kind=kind)
    try:
        draft = services.incident_draft_mark_sent(
            actor=request.user, incident_id=incident.pk, kind=kind, sent_at=form.cleaned_data["sent_at"]
        )
        messages.success(request, f"{draft.get_kind_display()}: recorded as sent. That deadline is met.")
        return redirect("compliance:incident-detail", incident_id=incident.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("compliance:incident-draft", incident_id=incident.pk, kind=kind)
