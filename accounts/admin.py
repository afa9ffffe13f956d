"""Accounts in Django admin: e-mail, name, one role, active flag. Superuser and per-user
permissions are not editable here: access comes from roles (accounts.roles) only."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_set_active, user_set_role

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
    readonly_fields = ("last_login", "date_joined")
    list_display = ("email", "full_name", "role_label", "is_active", "last_login")
    list_filter = ("is_active", "groups")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    filter_horizontal = ()
    actions = None

    @admin.display(description="Role")
    def role_label(self, obj):
        role = obj.role
        return role.label if role else "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, not deleted: audit rows keep pointing at them.
        return False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        role_value = form.cleaned_data.get("role")
        user_set_role(actor=request.user, user=form.instance, role=Role(role_value) if role_value else None)
        if "active" in form.cleaned_data:
            user_set_active(actor=request.user, user=form.instance, active=form.cleaned_data["active"])
