"""Forms of the incident pages: input shapes only; compliance.services.incidents decides the rest."""

from django import forms
from django.core.exceptions import ValidationError

from compliance.models import DATA_CATEGORIES, Incident

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AuditEventIdsField(forms.CharField):
    """Audit event ids, separated by commas or spaces: a list of whole numbers."""

    def to_python(self, value):
        text = super().to_python(value)
        ids = []
        for part in text.replace(",", " ").split():
            if not part.isdigit() or len(part) > 18:
                raise ValidationError(f"{part[:20]} is not an audit event id.")
            ids.append(int(part))
        return ids

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(map(str, value))
        return value


class IncidentForm(forms.ModelForm):
    data_categories = forms.MultipleChoiceField(
        choices=list(DATA_CATEGORIES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Categories of data concerned",
    )
    audit_event_ids = AuditEventIdsField(
        required=False,
        label="Audit events",
        help_text="Ids of the audit log rows this incident comes from, separated by commas.",
    )

    class Meta:
        model = Incident
        fields = [
            "title",
            "category",
            "severity",
            "description",
            "detection_method",
            "detected_by",
            "detected_at",
            "aware_at",
            "affected_count_estimate",
            "data_categories",
            "audit_event_ids",
        ]
        widgets = {
            "detected_at": DATETIME,
            "aware_at": DATETIME,
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"description": "What happened, as far as it is known."}


class IncidentEditForm(IncidentForm):
    class Meta(IncidentForm.Meta):
        fields = [*IncidentForm.Meta.fields, "status", "containment_actions", "recovery_actions"]
        widgets = {
            **IncidentForm.Meta.widgets,
            "containment_actions": forms.Textarea(attrs={"rows": 4}),
            "recovery_actions": forms.Textarea(attrs={"rows": 4}),
        }


class IncidentAssessmentForm(forms.ModelForm):
    class Meta:
        model = Incident
        fields = [
            "nature_and_extent",
            "unauthorised_recipient",
            "acquired_or_viewed",
            "mitigation",
            "hipaa_outcome",
            "gdpr_risk",
        ]
        widgets = {
            "nature_and_extent": forms.Textarea(attrs={"rows": 3}),
            "unauthorised_recipient": forms.Textarea(attrs={"rows": 3}),
            "mitigation": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "nature_and_extent": "HIPAA factor 1: the types of identifiers and health information, and how likely "
            "re-identification is.",
            "unauthorised_recipient": "HIPAA factor 2: the person who used the data or to whom it was disclosed.",
            "acquired_or_viewed": "HIPAA factor 3.",
            "mitigation": "HIPAA factor 4: what reduced the risk (assurances obtained, data retrieved or destroyed).",
            "hipaa_outcome": "A breach is presumed unless the four factors show a low probability of compromise.",
            "gdpr_risk": "High risk: the individuals are told too (GDPR Art. 34).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("nature_and_extent", "unauthorised_recipient", "mitigation", "hipaa_outcome", "gdpr_risk"):
            self.fields[name].required = True
        self.fields["hipaa_outcome"].choices = [("", "Choose…"), *Incident.HipaaOutcome.choices[1:]]
        self.fields["gdpr_risk"].choices = [("", "Choose…"), *Incident.GdprRisk.choices[1:]]


class PatientIdsField(forms.CharField):
    def to_python(self, value):
        text = super().to_python(value)
        ids = []
        for part in text.replace(",", " ").split():
            if not part.isdigit() or len(part) > 18:
                raise ValidationError(f"{part[:20]} is not a patient id.")
            ids.append(int(part))
        return ids


class AffectedPatientsForm(forms.Form):
    patient_ids = PatientIdsField(
        label="Patient ids", help_text="The record ids of the affected patients, separated by commas.", max_length=2000
    )


class DraftForm(forms.Form):
    body = forms.CharField(label="Text of the notice", widget=forms.Textarea(attrs={"rows": 24}), max_length=50_000)


class DraftSentForm(forms.Form):
    sent_at = forms.DateTimeField(label="Sent at (UTC)", widget=DATETIME)
