from django.contrib import admin

from loyalty.models import LoyaltyAccount

from .models import Customer


class LoyaltyAccountInline(admin.StackedInline):
    """Shown read-only: balances change through the back office, which writes the ledger."""

    model = LoyaltyAccount
    fields = ["enrolled", "balance", "updated_at"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "email", "phone", "loyalty_balance", "created_at"]
    list_filter = ["stores", "loyalty_account__enrolled", "gender", "created_at"]
    list_select_related = ["loyalty_account"]
    search_fields = ["first_name", "last_name", "email", "phone", "id_number"]
    date_hierarchy = "created_at"
    filter_horizontal = ["stores"]
    readonly_fields = ["version", "created_at", "updated_at", "created_by", "updated_by"]
    inlines = [LoyaltyAccountInline]

    @admin.display(description="loyalty balance", ordering="loyalty_account__balance")
    def loyalty_balance(self, customer):
        account = getattr(customer, "loyalty_account", None)
        return account.balance if account and account.enrolled else "—"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)
