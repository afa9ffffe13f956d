"""Pages of password reset, staff invitation acceptance and password change."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.views.generic import FormView

from accounts.forms import EmailAddressForm
from accounts.models import ActivationKind
from accounts.selectors import user_get_by_uidb64
from accounts.services.link_tokens import invitation_token_generator
from accounts.services.passwords import password_change, password_reset_complete, password_reset_request
from accounts.services.registration import invitation_accept
from accounts.views.registration import base_url_of
from audit.services import Outcome, record_security_event


class PasswordResetRequestView(FormView):
    template_name = "accounts/form_page.html"
    form_class = EmailAddressForm
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_context = {
        "title": "Reset your password",
        "lead": "Enter the address you sign in with. We will e-mail you a link to choose a new password.",
        "submit_label": "Send the link",
        "show_signin_link": True,
    }

    def form_valid(self, form):
        password_reset_request(
            email=form.cleaned_data["email"],
            base_url=base_url_of(self.request),
            client_ip=getattr(self.request, "client_ip", None),
        )
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.TemplateView):
    template_name = "accounts/message_page.html"
    extra_context = {
        "title": "Check your e-mail",
        "body": "If an account uses that address, we have sent it a link to choose a new password. "
        "The link works once and expires after an hour.",
    }


class SetPasswordFromLinkView(auth_views.PasswordResetConfirmView):
    """Django's confirm view (it moves the token from the URL into the session before showing the
    form, so the token cannot leak in a Referer), with our service instead of form.save()."""

    template_name = "accounts/set_password.html"
    form_class = SetPasswordForm
    post_reset_login = False
    audit_action = ""

    def get_user(self, uidb64):
        user = user_get_by_uidb64(uidb64=uidb64)
        return user if user is not None and self.link_may_open(user) else None

    def link_may_open(self, user) -> bool:
        raise NotImplementedError

    def dispatch(self, *args, **kwargs):
        response = super().dispatch(*args, **kwargs)
        # A valid token in the URL answers a redirect (to the form, without the token).
        if not self.validlink and not isinstance(response, HttpResponseRedirect):
            record_security_event(
                action=self.audit_action,
                outcome=Outcome.FAILURE,
                target_user=self.user,
                details={"reason": "invalid_or_expired_link"},
            )
            response.status_code = 400
        return response

    def complete(self, user, password):
        raise NotImplementedError

    def form_valid(self, form):
        self.complete(self.user, form.cleaned_data["new_password1"])
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, self.done_message)
        return redirect("accounts:login")


class PasswordResetConfirmView(SetPasswordFromLinkView):
    audit_action = "auth.password_reset"
    extra_context = {"title": "Choose a new password", "submit_label": "Change my password"}
    done_message = "Your password has been changed and every session was signed out. Sign in with the new password."

    def link_may_open(self, user) -> bool:
        return user.is_active

    def complete(self, user, password):
        password_reset_complete(user=user, password=password)


class InvitationAcceptView(SetPasswordFromLinkView):
    audit_action = "account.invitation_accept"
    token_generator = invitation_token_generator
    extra_context = {"title": "Set up your HealthPro account", "submit_label": "Set my password", "invitation": True}
    done_message = "Your account is ready. Sign in with your e-mail address and the password you chose."

    def link_may_open(self, user) -> bool:
        return user.activation_pending == ActivationKind.INVITATION

    def complete(self, user, password):
        invitation_accept(user=user, password=password)


class PasswordChangeView(LoginRequiredMixin, auth_views.PasswordChangeView):
    template_name = "accounts/form_page.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("accounts:profile")
    extra_context = {
        "title": "Change your password",
        "lead": "Your other sessions will be signed out, and we will e-mail you that the password changed.",
        "submit_label": "Change my password",
    }

    def form_valid(self, form):
        user = password_change(
            user=self.request.user,
            password=form.cleaned_data["new_password1"],
            current_session_key=self.request.session.session_key,
        )
        update_session_auth_hash(self.request, user)
        messages.success(self.request, "Your password has been changed. Your other sessions were signed out.")
        return redirect(self.get_success_url())

    def form_invalid(self, form):
        if "old_password" in form.errors:
            record_security_event(
                action="auth.password_change",
                outcome=Outcome.FAILURE,
                actor=self.request.user,
                target_user=self.request.user,
                details={"reason": "wrong_current_password"},
            )
        return super().form_invalid(form)
