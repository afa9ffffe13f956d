"""django-axes' lockout list in the admin, with clearing a lockout recorded in the audit log."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin

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


def install() -> None:
    """Called from AccountsConfig.ready(), after the admin's autodiscover registered axes' own."""
    if admin.site.is_registered(AccessAttempt):
        admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, AuditedAccessAttemptAdmin)
