"""Sign-in (the password step), sign-out, and the lockout answer (AXES_LOCKOUT_CALLABLE)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.forms import EmailAuthenticationForm
from accounts.policies import second_factor_page
from accounts.services import lockout
from core.api_errors import error_body, is_api_request

SIGNED_OUT_MESSAGE = "You have signed out of HealthPro."


class LoginView(auth_views.LoginView):
    """The password step. django.contrib.auth.login rotates the session key. A user with an
    authenticator goes on to the code step, a staff user without one to enrollment (see
    accounts.policies); only then is the sign-in complete and the lockout counters cleared.

    A locked-out client gets the lockout page (429) from django-axes' middleware."""

    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_success_url(self):
        target = second_factor_page(self.request.user)
        if target is None:
            lockout.attempts_clear(username=self.request.user.email, ip=self.request.client_ip)
            return super().get_success_url()
        return f"{reverse(target)}?{urlencode({'next': self.get_redirect_url() or reverse('dashboard')})}"


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


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: JSON under /api/, a page elsewhere; both 429 with Retry-After and
    the time the lock ends (`details.locked_until`, ISO 8601 UTC, on the API).

    It says no more than a failure does: the client is locked for this address whether or not an
    account exists for it."""
    username = lockout.axes_username(request, credentials)
    until = lockout.lock_end(username=username, ip=getattr(request, "client_ip", None))
    message = lockout.lockout_message(until)
    if is_api_request(request):
        body = error_body(
            status_code=429,
            code="locked_out",
            message=message,
            details={"locked_until": lockout.iso_utc(until)},
            request=request,
        )
        response = JsonResponse(body, status=429)
    else:
        response = render(request, "accounts/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(lockout.retry_after_seconds(until))
    return response
