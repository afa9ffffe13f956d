"""The forms of the account pages: sign-in, signup, verification resend and reset request, and
the code step and enrollment of the second factor. The password forms of reset, invitation and
change are Django's (SetPasswordForm, PasswordChangeForm): they run the validators of
AUTH_PASSWORD_VALIDATORS against the user."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import User


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form, labelled for e-mail login. Its error does not say which part was wrong.

    No `autofocus`: it would skip the skip link and the page's messages (a "signed out" notice,
    an error) for keyboard and screen-reader users.
    """

    username = forms.EmailField(
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": "The e-mail address or password is not correct.",
        "inactive": "The e-mail address or password is not correct.",
    }


class EmailAddressForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class PatientSignupForm(forms.Form):
    full_name = forms.CharField(
        label="Full name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Repeat the password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords differ: type the same password in both fields.")
        elif password1:
            # A stand-in account, so that similarity to the name and address is checked.
            stand_in = User(email=cleaned.get("email") or "", full_name=cleaned.get("full_name") or "")
            try:
                password_validation.validate_password(password1, user=stand_in)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


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
