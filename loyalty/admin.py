from django.contrib import admin

from backoffice.admin import ReadOnlyAdmin

from .models import LoyaltyLedgerEntry


@admin.register(LoyaltyLedgerEntry)
class LoyaltyLedgerEntryAdmin(ReadOnlyAdmin):
    """The ledger is history: it can be read and searched, never written by hand."""

    list_display = ["created_at", "customer", "delta", "balance_after", "reason", "created_by"]
    list_select_related = ["account__customer", "created_by"]
    search_fields = [
        "reason",
        "account__customer__first_name",
        "account__customer__last_name",
        "account__customer__email",
    ]
    list_filter = ["created_at"]  # not date_hierarchy: it reads the dates of every row
    show_full_result_count = False

    @admin.display(ordering="account__customer__last_name")
    def customer(self, entry):
        return entry.account.customer
