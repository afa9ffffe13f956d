"""Forms of the records pages: input shapes only; the services decide and validate the rest."""

from django import forms

from records import policies, selectors
from records.models import BreakGlassAccess, CareTeamMembership, ClinicalNote, Document, Patient
from records.record_types import RECORD_TYPES
from records.services import DEMOGRAPHIC_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_FIELDS = {"date_of_birth", "onset_date", "resolved_date", "start_date", "end_date"}
DATETIME_FIELDS = {"occurred_at", "observed_at", "starts_at", "ends_at"}


def _widgets(fields) -> dict:
    widgets = {name: DATE for name in fields if name in DATE_FIELDS}
    widgets.update({name: DATETIME for name in fields if name in DATETIME_FIELDS})
    return widgets


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = list(DEMOGRAPHIC_FIELDS)
        widgets = _widgets(DEMOGRAPHIC_FIELDS)


class ContactForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = list(policies.PATIENT_CONTACT_FIELDS)


class PatientSearchForm(forms.Form):
    mrn = forms.CharField(label="Medical record number", required=False, max_length=32)
    family_name = forms.CharField(required=False, max_length=100)
    given_name = forms.CharField(required=False, max_length=100)
    date_of_birth = forms.DateField(required=False, widget=DATE)
    email = forms.CharField(label="E-mail", required=False, max_length=254)
    phone = forms.CharField(required=False, max_length=32)


def record_form_class(record_type_name: str, *, user, patient):
    """The page form of a record type: its input fields (the API's writable ones), with the
    encounter, clinician and note kind choices limited to what `user` may pick for `patient`."""
    record_type = RECORD_TYPES[record_type_name]
    model = record_type.model
    fields = list(record_type.input_fields)

    class RecordFormBase(forms.ModelForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if "encounter" in self.fields:
                self.fields["encounter"].queryset = selectors.encounter_choice_list(user=user, patient=patient)
            if "clinician" in self.fields:
                self.fields["clinician"].queryset = selectors.clinician_list()
                self.fields["clinician"].label_from_instance = lambda member: member.full_name or member.email
            if model is ClinicalNote and "kind" in self.fields:
                allowed = policies.note_kinds_for(user)
                self.fields["kind"].choices = [c for c in ClinicalNote.Kind.choices if c[0] in allowed]

    return forms.modelform_factory(model, form=RecordFormBase, fields=fields, widgets=_widgets(fields))


class NoteAmendForm(forms.Form):
    body = forms.CharField(label="Amendment", widget=forms.Textarea)


class CareTeamForm(forms.Form):
    member = forms.ModelChoiceField(queryset=None, label="Doctor or nurse")
    team_role = forms.ChoiceField(choices=CareTeamMembership.TeamRole.choices, label="Role on the team")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = selectors.clinician_list().order_by("full_name")
        self.fields["member"].label_from_instance = lambda user: user.full_name or user.email


class DocumentUploadForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Document.Kind.choices)
    file = forms.FileField(help_text="PDF, PNG or JPEG.")


class BreakGlassForm(forms.Form):
    mrn = forms.CharField(label="Medical record number", max_length=32)
    reason = forms.CharField(
        widget=forms.Textarea,
        max_length=2000,
        help_text="Why you need this record now, in at least a full sentence. It is recorded and reviewed.",
    )


class BreakGlassReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(value, label) for value, label in BreakGlassAccess.Review.choices if value != "pending"],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(required=False, widget=forms.Textarea, max_length=2000)
