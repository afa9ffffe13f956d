"""Consent purposes and the versions of their text in Django admin, for the admin and the
compliance officer (accounts.roles grants them). A published version never changes: a new wording
is a new version, which asks every patient again. Every save goes through compliance.services."""

from django import forms
from django.contrib import admin

from compliance.models import ConsentPurpose, ConsentVersion
from compliance.services.consents import consent_purpose_create, consent_purpose_update, consent_version_publish


class ConsentPurposeCreationForm(forms.ModelForm):
    text = forms.CharField(widget=forms.Textarea, help_text="The text a patient reads and answers (version 1).")

    class Meta:
        model = ConsentPurpose
        fields = ("key", "name")


@admin.register(ConsentPurpose)
class ConsentPurposeAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "is_active", "current_version")
    list_filter = ("is_active",)

    @admin.display(description="current version")
    def current_version(self, purpose):
        last = purpose.versions.order_by("-version").first()
        return last.version if last else "-"

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ConsentPurposeCreationForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ("key", "name", "text") if obj is None else ("key", "name", "is_active", "created_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("key", "created_at")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            consent_purpose_update(actor=request.user, purpose=obj, name=obj.name, is_active=obj.is_active)
        else:
            created = consent_purpose_create(
                actor=request.user, key=obj.key, name=obj.name, text=form.cleaned_data["text"]
            )
            obj.pk = created.pk


@admin.register(ConsentVersion)
class ConsentVersionAdmin(admin.ModelAdmin):
    list_display = ("purpose", "version", "published_at")
    list_filter = ("purpose",)
    fields = ("purpose", "text")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("purpose", "version", "text", "published_at", "published_by")

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else ("purpose", "version", "text", "published_at", "published_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        published = consent_version_publish(actor=request.user, purpose=obj.purpose, text=obj.text)
        obj.pk = published.pk
