from django.contrib import admin

from backoffice.admin import ReadOnlyAdmin

from .models import LoyaltyAccount, LoyaltyCard, LoyaltyCardBatch, LoyaltyLedgerEntry


@admin.register(LoyaltyLedgerEntry)
class LoyaltyLedgerEntryAdmin(ReadOnlyAdmin):
    """The ledger is history: it can be read and searched, never written by hand."""

    list_display = [
        "created_at",
        "customer",
        "delta",
        "balance_after",
        "reason",
        "note",
        "created_by",
    ]
    list_select_related = ["account__customer", "created_by"]
    search_fields = [
        "note",
        "account__customer__first_name",
        "account__customer__last_name",
        "account__customer__email",
    ]
    list_filter = ["reason", "created_at"]  # not date_hierarchy: it reads every row's date
    show_full_result_count = False

    @admin.display(ordering="account__customer__last_name")
    def customer(self, entry):
        return entry.account.customer


@admin.register(LoyaltyAccount)
class LoyaltyAccountAdmin(ReadOnlyAdmin):
    """Balances move through the back office's adjustments, which write the ledger."""

    list_display = ["customer", "enrolled", "balance", "version", "updated_at"]
    list_select_related = ["customer"]
    list_filter = ["enrolled"]
    search_fields = ["customer__email"]
    show_full_result_count = False


@admin.register(LoyaltyCardBatch)
class LoyaltyCardBatchAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "created_at", "created_by", "size"]
    list_select_related = ["created_by"]


@admin.register(LoyaltyCard)
class LoyaltyCardAdmin(ReadOnlyAdmin):
    """Cards are generated in batches and handed out on the customer's page."""

    list_display = ["code", "batch", "customer", "assigned_at"]
    list_select_related = ["batch", "customer"]
    search_fields = ["=code"]
    show_full_result_count = False
