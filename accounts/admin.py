"""Accounts in Django admin: e-mail, name, one role, active flag. Superuser and per-user
permissions are not editable here: access comes from roles (accounts.roles) only.

Also the admin of sign-in security: django-axes' lockouts (clearing one is audited) and
authenticator resets (deleting a TOTP device runs accounts.services.mfa.mfa_reset: recovery codes,
sessions and refresh tokens go too); and the admin login form, whose code step is the one of the
sign-in pages and the token API (accounts.services.mfa.second_factor_check).

TOTP secrets are never shown in the admin (OTP_ADMIN_HIDE_SENSITIVE_DATA): whoever reads a secret
holds the second factor."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django_otp.admin import OTPAdminAuthenticationForm
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ActivationKind, OutgoingEmail, User
from accounts.roles import Role
from accounts.selectors import mfa_authenticator_count
from accounts.services import lockout
from accounts.services.emails import outgoing_email_retry
from accounts.services.mfa import SecondFactorOutcome, mfa_reset, second_factor_check
from accounts.services.registration import invitation_send
from accounts.services.users import user_create, user_set_active, user_set_role
from accounts.views.registration import base_url_of

ROLE_CHOICES = [("", "No role")] + [(role.value, role.label) for role in Role]


class UserRoleChangeForm(UserChangeForm):
    """Role and active flag are plain form fields: the services apply and audit them."""

    role = forms.ChoiceField(choices=ROLE_CHOICES, required=False)
    active = forms.BooleanField(required=False, help_text="Inactive accounts cannot sign in.")

    class Meta:
        model = User
        fields = ("email", "full_name", "password")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        role = self.instance.role if self.instance.pk else None
        self.fields["role"].initial = role.value if role else ""
        self.fields["active"].initial = self.instance.is_active if self.instance.pk else True


class UserRoleCreationForm(AdminUserCreationForm):
    role = forms.ChoiceField(choices=ROLE_CHOICES, required=False)

    class Meta:
        model = User
        fields = ("email", "full_name")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserRoleChangeForm
    add_form = UserRoleCreationForm
    change_password_form = AdminPasswordChangeForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name",)}),
        ("Access", {"fields": ("role", "active")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
        ("Activation", {"fields": ("activation_pending", "activation_sent_at", "email_verified_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "role", "usable_password", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined", "activation_pending", "activation_sent_at", "email_verified_at")
    list_display = ("email", "full_name", "role_label", "is_active", "activation_pending", "last_login")
    list_filter = ("is_active", "groups")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    filter_horizontal = ()
    actions = ["resend_invitation"]

    @admin.display(description="Role")
    def role_label(self, obj):
        role = obj.role
        return role.label if role else "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_actions(self, request):
        # No bulk delete: accounts are deactivated, not deleted.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Send the invitation e-mail again (older links stop working)", permissions=["change"])
    def resend_invitation(self, request, queryset):
        sent = sum(invitation_send(actor=request.user, user=user, base_url=base_url_of(request)) for user in queryset)
        skipped = queryset.count() - sent
        self.message_user(request, f"Invitation sent to {sent} account(s).", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"{skipped} account(s) skipped: they are not awaiting an invitation.", messages.WARNING
            )

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new account is created by the service (audited, with its role). "Password-based
        # authentication: disabled" on the add form makes an invitation: no password, inactive
        # until the person opens the e-mailed link and chooses one. Kept on the request: the
        # ModelAdmin instance is shared by every request.
        request.healthpro_inviting = not form.cleaned_data.get("set_usable_password", True)
        role_value = form.cleaned_data.get("role")
        user = user_create(
            actor=request.user,
            email=obj.email,
            full_name=obj.full_name,
            role=Role(role_value) if role_value else None,
            password=form.cleaned_data.get("password1") or None,
            invitation=request.healthpro_inviting,
        )
        # The admin goes on with `obj` (log entry, redirect): it becomes the created account.
        obj.pk = user.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, not deleted: audit rows keep pointing at them.
        return False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            if getattr(request, "healthpro_inviting", False):
                invitation_send(actor=request.user, user=form.instance, base_url=base_url_of(request))
            return
        role_value = form.cleaned_data.get("role")
        user_set_role(actor=request.user, user=form.instance, role=Role(role_value) if role_value else None)
        if "active" in form.cleaned_data and form.instance.activation_pending != ActivationKind.INVITATION:
            user_set_active(actor=request.user, user=form.instance, active=form.cleaned_data["active"])


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The outbox, read only: which template to which account, its status and attempts, never
    the message or the address. Failed messages are queued again with the retry action."""

    list_display = ["id", "template", "recipient_id", "status", "attempts", "last_error", "created_at", "sent_at"]
    list_filter = ["status", "template"]
    fields = [
        "template",
        "recipient_id",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "last_attempt_at",
        "sent_at",
    ]
    readonly_fields = fields
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return request.user.has_perm("accounts.change_outgoingemail")

    @admin.action(description="Queue the selected failed e-mails again", permissions=["retry"])
    def retry(self, request, queryset):
        count = outgoing_email_retry(actor=request.user, email_ids=list(queryset.values_list("pk", flat=True)))
        skipped = queryset.count() - count
        self.message_user(request, f"{count} failed e-mail(s) queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"{skipped} selected e-mail(s) had not failed and were left alone.", messages.INFO
            )


class AuditedAccessAttemptAdmin(AccessAttemptAdmin):
    def delete_model(self, request, obj):
        lockout.lockout_clear_record(actor=request.user, username=obj.username, failures=obj.failures_since_start)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for attempt in queryset:
            lockout.lockout_clear_record(
                actor=request.user, username=attempt.username, failures=attempt.failures_since_start
            )
        super().delete_queryset(request, queryset)


class ResettingTOTPDeviceAdmin(TOTPDeviceAdmin):
    def delete_model(self, request, obj):
        mfa_reset(actor=request.user, user=obj.user)

    def delete_queryset(self, request, queryset):
        for user in User.objects.filter(pk__in=queryset.values("user_id")):
            mfa_reset(actor=request.user, user=user)


def security_admin_install() -> None:
    """Called from AccountsConfig.ready(), after the admin's autodiscover registered the libraries' own."""
    for model, model_admin in ((AccessAttempt, AuditedAccessAttemptAdmin), (TOTPDevice, ResettingTOTPDeviceAdmin)):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        admin.site.register(model, model_admin)


class LockoutAwareOTPAdminAuthenticationForm(OTPAdminAuthenticationForm):
    """The admin login form (OTPAdminSite). The code goes through the same code step as the
    sign-in pages and the token API: locked out first, audited alike (a recovery code as a
    recovery code, with its e-mail to the user), a wrong code counted as a failed sign-in.

    One attempt per POST: the right password gives its slot back (accounts.backends), so only a
    wrong password or a wrong code counts. django-otp answers a code without a chosen device with
    "Please select a device", which made a right code on the first screen a failure: a user with
    exactly one confirmed authenticator needs no choice (the code is checked against it and the
    recovery codes, the recovery device). A POST without a code checks nothing and counts
    nothing: django-otp's own answer."""

    def clean_otp(self, user):
        if user is None:
            return
        token = self.cleaned_data.get("otp_token")
        device = self._chosen_device(user)
        if (
            not token
            or self.cleaned_data.get("otp_challenge")
            or (device is None and not self._single_authenticator(user))
        ):
            super().clean_otp(user)
            return
        user.otp_device = None
        result = second_factor_check(request=self.request, user=user, code=token, device=device, sender=type(self))
        if result.outcome is not SecondFactorOutcome.VERIFIED:
            self._update_form(user)
            if result.outcome is SecondFactorOutcome.LOCKED_OUT:
                raise forms.ValidationError(
                    lockout.lockout_message(lockout.lock_end(username=user.email, ip=self.request.client_ip))
                )
            raise forms.ValidationError(self.otp_error_messages["invalid_token"], code="invalid_token")
        user.otp_device = result.device
        lockout.attempts_clear(username=user.email, ip=self.request.client_ip)

    @staticmethod
    def _single_authenticator(user) -> bool:
        return mfa_authenticator_count(user=user) == 1
