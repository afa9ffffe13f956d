"""Forms of the privacy pages: input shapes only; compliance.services decides and validates."""

from django import forms

from compliance.models import DataSubjectRequest
from compliance.models.requests import MAX_EXTENSION_MONTHS
from compliance.selectors import assignable_officers
from records import policies as records_policies
from records.models import Patient

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
Kind = DataSubjectRequest.Kind
# A correction has its own form, with the proposed values.
KINDS_WITHOUT_VALUES = [(value, label) for value, label in Kind.choices if value != Kind.RECTIFICATION]
OFFLINE_CHANNELS = [
    (value, label) for value, label in DataSubjectRequest.Channel.choices if value != DataSubjectRequest.Channel.PORTAL
]


def _reason_field(label: str, *, required: bool = True) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class RequestOpenForm(forms.Form):
    kind = forms.ChoiceField(label="What do you ask for?", choices=KINDS_WITHOUT_VALUES, widget=forms.RadioSelect)
    details = forms.CharField(
        label="Anything we should know",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example which data or which use of it your request is about.",
    )


class RectificationRequestForm(forms.ModelForm):
    """The patient's demographics as recorded; what they change is what they propose."""

    details = forms.CharField(
        label="Why these corrections", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    class Meta:
        model = Patient
        fields = list(records_policies.PATIENT_RECTIFIABLE_FIELDS)
        widgets = {"date_of_birth": DATE}

    def proposed_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data if name != "details"}


class RequestRecordForm(forms.Form):
    mrn = forms.CharField(label="Patient's medical record number", max_length=32)
    kind = forms.ChoiceField(label="Kind of request", choices=KINDS_WITHOUT_VALUES)
    channel = forms.ChoiceField(label="Received by", choices=OFFLINE_CHANNELS)
    received_on = forms.DateField(label="Received on", widget=DATE)
    identity_method = forms.ChoiceField(label="Identity verified by", choices=DataSubjectRequest.IdentityMethod.choices)
    identity_note = forms.CharField(label="Identity check note", required=False, max_length=2000)
    details = _reason_field("What the requester asks", required=False)


class VerifyIdentityForm(forms.Form):
    method = forms.ChoiceField(label="How the identity was verified", choices=DataSubjectRequest.IdentityMethod.choices)
    note = forms.CharField(label="Note", required=False, max_length=2000)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label="Assign to", queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_officers()
        self.fields["assignee"].label_from_instance = lambda user: user.full_name or user.email


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label="Extend by",
        coerce=int,
        choices=[(n, f"{n} month{'s' if n > 1 else ''}") for n in range(1, MAX_EXTENSION_MONTHS + 1)],
    )
    reason = _reason_field("Reason for the extension (the patient is told)")


class CompleteForm(forms.Form):
    note = forms.CharField(label="Note", required=False, max_length=2000)


class RefuseForm(forms.Form):
    reason = _reason_field("Reason for the refusal (the patient is told)")


class RectificationApplyForm(forms.Form):
    fields = forms.MultipleChoiceField(
        label="Corrections to apply", required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    reason = _reason_field("Reason for any correction not applied (the patient is told)", required=False)

    def __init__(self, *args, proposed: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields"].choices = [
            (name, f"{Patient._meta.get_field(name).verbose_name.capitalize()}: {value}")
            for name, value in proposed.items()
        ]


class RestrictionLiftForm(forms.Form):
    reason = _reason_field("Reason for lifting the restriction")


class LegalHoldPlaceForm(forms.Form):
    mrn = forms.CharField(label="Patient's medical record number", max_length=32)
    reason = _reason_field("Reason for the hold (case, authority, reference)")


class LegalHoldLiftForm(forms.Form):
    reason = _reason_field("Reason for lifting the hold")
