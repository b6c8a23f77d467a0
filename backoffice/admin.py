from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail can be read and searched, never written or removed by hand."""

    list_display = ["created_at", "user_name", "action", "content_type", "object_repr", "summary"]
    list_filter = ["action", "content_type"]
    list_select_related = ["content_type"]
    search_fields = ["object_repr", "user_name", "summary"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
