from django.contrib import admin

from .models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """For history (audit events, ledgers): it can be read and searched in the admin, never
    added, changed or deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user_name", "action", "content_type", "object_repr", "summary"]
    list_filter = ["action", "content_type", "created_at"]
    list_select_related = ["content_type"]
    search_fields = ["object_repr", "user_name", "summary"]
    show_full_result_count = False  # and no date_hierarchy: it reads the dates of every row
