"""Accounts in Django admin: e-mail, name, one role, active flag. Superuser and per-user
permissions are not editable here: access comes from roles (accounts.roles) only."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm

from accounts.models import ActivationKind, User
from accounts.registration import invitation_prepare, invitation_send
from accounts.roles import Role
from accounts.services import user_set_active, user_set_role
from accounts.views_registration import base_url_of

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
        # "Password-based authentication: disabled" on the add form makes an invitation: no
        # password, inactive until the person opens the e-mailed link and chooses one.
        # Kept on the request: the ModelAdmin instance is shared by every request.
        request.healthpro_inviting = not change and not obj.has_usable_password()
        if request.healthpro_inviting:
            invitation_prepare(obj)
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, not deleted: audit rows keep pointing at them.
        return False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        role_value = form.cleaned_data.get("role")
        user_set_role(actor=request.user, user=form.instance, role=Role(role_value) if role_value else None)
        if "active" in form.cleaned_data and form.instance.activation_pending != ActivationKind.INVITATION:
            user_set_active(actor=request.user, user=form.instance, active=form.cleaned_data["active"])
        if getattr(request, "healthpro_inviting", False):
            invitation_send(actor=request.user, user=form.instance, base_url=base_url_of(request))
