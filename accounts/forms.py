from django import forms
from django.contrib.auth.forms import AuthenticationForm


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
