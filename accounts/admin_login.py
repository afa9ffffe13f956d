"""The admin login form (OTPAdminSite): a wrong code counts as a failed sign-in for django-axes
and the attempt counter, exactly as on the sign-in pages (accounts.lockout)."""

from django import forms
from django_otp.admin import OTPAdminAuthenticationForm

from accounts import lockout
from audit.services import Outcome, record_security_event


class LockoutAwareOTPAdminAuthenticationForm(OTPAdminAuthenticationForm):
    def clean_otp(self, user):
        if user is None:
            return
        request = self.request
        if not lockout.second_factor_allowed(request, user=user):
            raise forms.ValidationError(lockout.LOCKOUT_MESSAGE.format(minutes=lockout.cooloff_seconds() // 60))
        try:
            super().clean_otp(user)
        except forms.ValidationError:
            if self.cleaned_data.get("otp_token"):
                record_security_event(action="mfa.verify", outcome=Outcome.FAILURE, actor=user, target_user=user)
                lockout.record_failure(request, username=user.email, sender=type(self))
            raise
        record_security_event(action="mfa.verify", actor=user, target_user=user, details={"method": "totp"})
        lockout.attempts_clear(username=user.email, ip=request.client_ip)
