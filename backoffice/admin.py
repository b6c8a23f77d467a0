from django.contrib import admin
from django.contrib.admin import AdminSite

from .models import AuditEvent


class SuperuserAdminSite(AdminSite):
    """Django admin, for superusers only.

    Store staff and managers work in the back office pages, which enforce the business rules
    (loyalty ledger, concurrent edits); the admin is kept for administrators.
    """

    site_header = "Retail Back Office administration"
    site_title = "Retail Back Office admin"

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser


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
