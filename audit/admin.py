"""The audit log in Django admin: readable and filterable by those allowed to, never editable.

Nobody (superusers included) may add, change or delete an event here; the view permission comes
from the compliance role (accounts.roles). The admin list is itself a read of the log, but not of
patient data, so it is not recorded as an access event.
"""

from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("id", "occurred_at", "category", "action", "outcome", "actor_id", "actor_role", "patient_id")
    list_filter = ("category", "outcome", "actor_role", "purpose", "action")
    search_fields = ("=action", "=request_id", "=client_ip")
    date_hierarchy = "occurred_at"
    ordering = ("-id",)
    list_per_page = 100
    show_full_result_count = False
    actions = None

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in AuditEvent._meta.fields]

    def get_search_results(self, request, queryset, search_term):
        """Exact matches on ids too: `actor:12`, `patient:34`, `user:56`."""
        prefix, _, value = search_term.partition(":")
        columns = {"actor": "actor_id", "patient": "patient_id", "user": "target_user_id"}
        if prefix in columns and value.strip().isdigit():
            return queryset.filter(**{columns[prefix]: int(value)}), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
