from django import forms


class MfaCodeForm(forms.Form):
    """The code step: a 6-digit code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label="Authentication code",
        max_length=32,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false", "autocapitalize": "off"}
        ),
    )

    error_messages = {"invalid_code": "That code is not correct, or was already used. Try the current code."}


class TotpConfirmForm(forms.Form):
    code = forms.CharField(
        label="Code from your app",
        max_length=10,
        help_text="Enter the 6-digit code your authenticator app shows for HealthPro.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )

    error_messages = {
        "invalid_code": "That code is not correct. Check the time on your phone and try the current code."
    }
