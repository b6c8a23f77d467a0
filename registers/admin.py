from django.contrib import admin

from .models import Register


@admin.register(Register)
class RegisterAdmin(admin.ModelAdmin):
    """Registers are created, deactivated and reactivated on the Registers page, which
    shows a new key once; the admin only reads them."""

    list_display = ["name", "store", "is_active", "key_prefix", "last_seen_at"]
    list_filter = ["is_active", "store"]
    readonly_fields = ["name", "store", "key_prefix", "is_active", "device", "device_since",
                       "last_seen_at", "created_at", "deactivated_at"]  # fmt: skip
    exclude = ["key_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
