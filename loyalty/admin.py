from django.contrib import admin

from .models import LoyaltyLedgerEntry


@admin.register(LoyaltyLedgerEntry)
class LoyaltyLedgerEntryAdmin(admin.ModelAdmin):
    """The ledger is history: it can be read and searched, never written by hand."""

    list_display = ["created_at", "customer", "delta", "balance_after", "reason", "created_by"]
    list_select_related = ["account__customer", "created_by"]
    search_fields = [
        "reason",
        "account__customer__first_name",
        "account__customer__last_name",
        "account__customer__email",
    ]
    date_hierarchy = "created_at"

    @admin.display(ordering="account__customer__last_name")
    def customer(self, entry):
        return entry.account.customer

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
