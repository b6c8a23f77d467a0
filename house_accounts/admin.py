from django.contrib import admin

from backoffice.admin import ReadOnlyAdmin

from .models import HouseAccount, HouseAccountEntry


@admin.register(HouseAccount)
class HouseAccountAdmin(ReadOnlyAdmin):
    """Accounts are opened, charged and paid in the back office, which keeps the ledger."""

    list_display = ["account_number", "customer", "balance", "limit_description", "created_at"]
    list_select_related = ["customer"]
    search_fields = ["account_number", "customer__email"]


@admin.register(HouseAccountEntry)
class HouseAccountEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "account",
        "kind",
        "amount",
        "balance_after",
        "store",
        "reference",
    ]
    list_select_related = ["account", "store"]
    list_filter = ["kind"]
    search_fields = ["account__account_number", "reference", "note"]
    show_full_result_count = False
