"""Admin for sign-in security: django-axes' lockouts (clearing one is audited) and authenticator
resets (deleting a TOTP device runs accounts.mfa.mfa_reset: recovery codes, sessions and refresh tokens go too).

TOTP secrets are never shown in the admin (OTP_ADMIN_HIDE_SENSITIVE_DATA): whoever reads a secret
holds the second factor."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa import mfa_reset
from accounts.models import User
from audit.services import record_security_event


class AuditedAccessAttemptAdmin(AccessAttemptAdmin):
    def delete_model(self, request, obj):
        _record_clear(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for attempt in queryset:
            _record_clear(request, attempt)
        super().delete_queryset(request, queryset)


def _record_clear(request, attempt: AccessAttempt) -> None:
    target = User.objects.filter(email__iexact=attempt.username or "").first()
    record_security_event(
        action="auth.lockout_clear",
        actor=request.user,
        target_user=target,
        details={"known_account": target is not None, "failures": attempt.failures_since_start},
    )


class ResettingTOTPDeviceAdmin(TOTPDeviceAdmin):
    def delete_model(self, request, obj):
        mfa_reset(actor=request.user, user=obj.user)

    def delete_queryset(self, request, queryset):
        for user in User.objects.filter(pk__in=queryset.values("user_id")):
            mfa_reset(actor=request.user, user=user)


def install() -> None:
    """Called from AccountsConfig.ready(), after the admin's autodiscover registered the libraries' own."""
    for model, model_admin in ((AccessAttempt, AuditedAccessAttemptAdmin), (TOTPDevice, ResettingTOTPDeviceAdmin)):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        admin.site.register(model, model_admin)
