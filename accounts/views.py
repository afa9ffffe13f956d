from django.contrib import messages
from django.contrib.auth import views as auth_views

from accounts.forms import EmailAuthenticationForm

SIGNED_OUT_MESSAGE = "You have signed out of HealthPro."


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET), so a link or an image cannot sign anyone out.

    The confirmation is a message on the page it redirects to (the login page): the session is
    gone by then, so the message travels in Django's message cookie.
    """

    def post(self, request, *args, **kwargs):
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            messages.success(request, SIGNED_OUT_MESSAGE)
        return response
