"""Pages of patient self-registration: signup, the verification link, resending it."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView

from accounts.forms import EmailAddressForm, PatientSignupForm
from accounts.selectors import user_get_by_uidb64
from accounts.services.link_tokens import email_verification_token_generator
from accounts.services.registration import email_verify, patient_signup, verification_resend
from audit.services import Outcome, record_security_event

CHECK_EMAIL_MESSAGE = (
    "If the address can be used, we have sent a message to it. Open the link in that message to "
    "continue. It may take a few minutes to arrive; check your spam folder too."
)


def base_url_of(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


class SignupEnabledMixin:
    def dispatch(self, request, *args, **kwargs):
        if not settings.SIGNUP_ENABLED:
            raise Http404("Self-registration is switched off.")
        return super().dispatch(request, *args, **kwargs)


@method_decorator([sensitive_post_parameters("password1", "password2"), never_cache], name="dispatch")
class PatientSignupView(SignupEnabledMixin, FormView):
    template_name = "accounts/form_page.html"
    form_class = PatientSignupForm
    success_url = reverse_lazy("accounts:signup_done")
    extra_context = {
        "title": "Create a patient account",
        "lead": "For patients of the clinic. Staff accounts are created by the IT administrator.",
        "submit_label": "Create account",
        "show_signin_link": True,
    }

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("dashboard")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        patient_signup(
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            password=form.cleaned_data["password1"],
            base_url=base_url_of(self.request),
            client_ip=getattr(self.request, "client_ip", None),
        )
        return super().form_valid(form)


class CheckEmailView(TemplateView):
    template_name = "accounts/message_page.html"
    extra_context = {"title": "Check your e-mail", "body": CHECK_EMAIL_MESSAGE, "show_resend_link": True}


class ResendVerificationView(SignupEnabledMixin, FormView):
    template_name = "accounts/form_page.html"
    form_class = EmailAddressForm
    success_url = reverse_lazy("accounts:signup_done")
    extra_context = {
        "title": "Send the confirmation link again",
        "lead": "Enter the address you registered with. Links expire; a new one replaces the old ones.",
        "submit_label": "Send the link",
    }

    def form_valid(self, form):
        verification_resend(
            email=form.cleaned_data["email"],
            base_url=base_url_of(self.request),
            client_ip=getattr(self.request, "client_ip", None),
        )
        return super().form_valid(form)


@method_decorator(never_cache, name="dispatch")
class VerifyEmailView(View):
    """GET shows a confirmation button and changes nothing (mail scanners open links); POST activates."""

    template_name = "accounts/verify_email.html"

    def _user_with_valid_link(self, uidb64, token):
        user = user_get_by_uidb64(uidb64=uidb64)
        if user is not None and email_verification_token_generator.check_token(user, token):
            return user
        record_security_event(
            action="account.email_verified",
            outcome=Outcome.FAILURE,
            target_user=user,
            details={"reason": "invalid_or_expired_link"},
        )
        return None

    def get(self, request, uidb64, token):
        user = self._user_with_valid_link(uidb64, token)
        return render(request, self.template_name, {"validlink": user is not None}, status=200 if user else 400)

    def post(self, request, uidb64, token):
        user = self._user_with_valid_link(uidb64, token)
        if user is None:
            return render(request, self.template_name, {"validlink": False}, status=400)
        email_verify(user=user)
        messages.success(request, "Your e-mail address is confirmed. You can sign in now.")
        return redirect("accounts:login")
