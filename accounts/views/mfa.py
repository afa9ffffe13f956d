"""Pages of the second factor: the code step after the password, enrollment, recovery codes."""

import base64

import qrcode
import qrcode.image.svg
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from accounts.forms import MfaCodeForm, TotpConfirmForm
from accounts.selectors import mfa_enrolled, recovery_codes_remaining
from accounts.services import lockout
from accounts.services.mfa import (
    SecondFactorOutcome,
    recovery_codes_regenerate,
    second_factor_check,
    totp_device_confirm,
    totp_device_start,
    totp_secret,
)
from accounts.views.sign_in import lockout_response

SESSION_NEXT_KEY = "accounts_mfa_next"


def safe_next_url(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("dashboard")


def complete_second_factor(request, device) -> None:
    """Mark the session as verified with `device` and rotate its key and CSRF token (a new
    privilege level, as django.contrib.auth.login does at the password step)."""
    otp_login(request, device)
    request.session.cycle_key()
    rotate_token(request)
    lockout.attempts_clear(username=request.user.email, ip=request.client_ip)


def qr_code_data_uri(text: str) -> str:
    """A QR code as an SVG data: URI, made on the server (no script; CSP's img-src allows data:)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def _render_recovery_codes(request, codes, *, first_time: bool):
    response = render(request, "accounts/mfa_recovery_codes_new.html", {"codes": codes, "first_time": first_time})
    response["Cache-Control"] = "no-store"
    return response


@method_decorator([never_cache, login_required], name="dispatch")
class MfaVerifyView(View):
    """The code step. Wrong codes count as failed sign-ins for django-axes (and the attempt
    counter), so the code cannot be guessed any faster than a password."""

    template_name = "accounts/mfa_verify.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_verified():
            return redirect(safe_next_url(request, request.GET.get("next")))
        if not mfa_enrolled(request.user):
            return redirect("accounts:mfa_setup")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, self.template_name, {"form": MfaCodeForm(), "next": request.GET.get("next", "")})

    def post(self, request):
        form = MfaCodeForm(request.POST)
        next_url = request.POST.get("next", "")
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "next": next_url})
        result = second_factor_check(
            request=request, user=request.user, code=form.cleaned_data["code"], sender=MfaVerifyView
        )
        if result.outcome is SecondFactorOutcome.LOCKED_OUT:
            return self._locked_out(request)
        if result.outcome is SecondFactorOutcome.WRONG_CODE:
            form.add_error("code", form.error_messages["invalid_code"])
            return render(request, self.template_name, {"form": form, "next": next_url})
        complete_second_factor(request, result.device)
        return redirect(safe_next_url(request, next_url))

    def _locked_out(self, request):
        # The half-finished sign-in ends: the password step must be passed again after the cool-off.
        logout(request)
        return lockout_response(request)


@method_decorator([never_cache, login_required], name="dispatch")
class MfaSetupView(View):
    """Enrollment: scan the QR code (or type the secret), confirm with a code, get recovery codes.

    Showing the page creates the user's pending (unconfirmed) device on first visit, so the secret
    stays the same across reloads; a pending device counts for nothing until confirmed."""

    template_name = "accounts/mfa_setup.html"

    def get(self, request):
        if mfa_enrolled(request.user):
            return render(request, "accounts/mfa_enrolled.html")
        return self._render(request, TotpConfirmForm())

    def post(self, request):
        if mfa_enrolled(request.user):
            return redirect("accounts:mfa_setup")
        form = TotpConfirmForm(request.POST)
        if not form.is_valid():
            return self._render(request, form)
        device = totp_device_start(user=request.user)
        codes = totp_device_confirm(
            actor=request.user,
            device=device,
            code=form.cleaned_data["code"],
            current_session_key=request.session.session_key,
        )
        if codes is None:
            form.add_error("code", form.error_messages["invalid_code"])
            return self._render(request, form)
        device.refresh_from_db()
        complete_second_factor(request, device)
        return _render_recovery_codes(request, codes, first_time=True)

    def _render(self, request, form):
        device = totp_device_start(user=request.user)
        response = render(
            request,
            self.template_name,
            {"form": form, "qr_code": qr_code_data_uri(device.config_url), "secret": totp_secret(device)},
        )
        response["Cache-Control"] = "no-store"
        return response


@method_decorator([never_cache, login_required], name="dispatch")
class RecoveryCodesView(View):
    """How many recovery codes are left, and a button for a new set (shown once)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_verified():
            return redirect(f"{reverse('accounts:mfa_verify')}?next={request.path}")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        remaining = recovery_codes_remaining(user=request.user)
        return render(request, "accounts/mfa_recovery_codes.html", {"remaining": remaining})

    def post(self, request):
        return _render_recovery_codes(
            request,
            recovery_codes_regenerate(actor=request.user, current_session_key=request.session.session_key),
            first_time=False,
        )
