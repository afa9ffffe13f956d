from django import forms

from compliance.inventory import MODELS, Category, Erasure, Subject
from compliance.models import ConsentDecision


class ConsentDecisionForm(forms.Form):
    """One answer to one purpose: which purpose, the version the person read, give or withdraw.
    The page shows a button per action, so the decision comes from the button pressed."""

    purpose = forms.SlugField(max_length=64, widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=ConsentDecision.Decision.choices)


def _choices(values, labels=None) -> list[tuple[str, str]]:
    return [("", "Any"), *((value, labels[value] if labels else value) for value in values)]


class InventoryFilterForm(forms.Form):
    """The filters of the data inventory page (GET); an unknown value is a field error."""

    app = forms.ChoiceField(required=False, label="App")
    model = forms.ChoiceField(required=False, label="Model")
    category = forms.ChoiceField(required=False, choices=_choices(Category.values, dict(Category.choices)))
    subject = forms.ChoiceField(
        required=False, label="Whose data", choices=_choices(Subject.values, dict(Subject.choices))
    )
    erasure = forms.ChoiceField(
        required=False, label="On erasure", choices=_choices(Erasure.values, dict(Erasure.choices))
    )
    export = forms.ChoiceField(
        required=False, label="In the export", choices=[("", "Any"), ("yes", "Yes"), ("no", "No")]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = sorted(MODELS)
        self.fields["app"].choices = _choices(sorted({label.split(".")[0] for label in labels}))
        self.fields["model"].choices = _choices(labels)
