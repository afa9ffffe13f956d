"""Forms of the disclosure pages: input shapes only; compliance.services.disclosures decides the rest."""

from django import forms

from compliance.forms.incidents import DATETIME


class DisclosureForm(forms.Form):
    patient_id = forms.IntegerField(label="Patient id", min_value=1, help_text="The id of the patient's record.")
    disclosed_at = forms.DateTimeField(label="Date of the disclosure (UTC)", widget=DATETIME)
    recipient = forms.CharField(label="Recipient", max_length=200, help_text="The person or organisation.")
    recipient_address = forms.CharField(
        label="Recipient's address", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )
    description = forms.CharField(label="What was disclosed", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    purpose = forms.CharField(
        label="Purpose or legal basis",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="For example: a court order (with its reference), a public health report required by law.",
    )


class AccountingRequestForm(forms.Form):
    patient_id = forms.IntegerField(label="Patient id", min_value=1)


class AccountingExtendForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the delay",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="The patient is told this reason and the new date. One extension of 30 days is allowed.",
    )
