from django.contrib import admin

from backoffice.admin import ReadOnlyAdmin
from backoffice.services import delete_recorded, save_recorded

from .models import (
    MembershipAccount,
    MembershipEntry,
    MembershipPlan,
    MembershipSeat,
    MembershipType,
)


class RecordedAdmin(admin.ModelAdmin):
    """Saves and deletes go through the services that write the audit trail."""

    readonly_fields = ["created_at"]

    def save_model(self, request, obj, form, change):
        save_recorded(instance=obj, actor=request.user)

    def delete_model(self, request, obj):
        delete_recorded(instance=obj, actor=request.user)


@admin.register(MembershipType)
class MembershipTypeAdmin(RecordedAdmin):
    list_display = ["name", "price_level", "description", "created_at"]
    search_fields = ["name"]


@admin.register(MembershipPlan)
class MembershipPlanAdmin(RecordedAdmin):
    list_display = ["name", "membership_type", "allowance", "period", "auto_renew", "tax_exempt"]
    list_filter = ["membership_type", "period", "auto_renew"]
    search_fields = ["name"]


class SeatInline(admin.TabularInline):
    model = MembershipSeat
    fields = ["customer", "is_holder", "active"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MembershipAccount)
class MembershipAccountAdmin(ReadOnlyAdmin):
    """Accounts are opened, charged and renewed in the back office, which keeps the ledger."""

    list_display = ["card_number", "customer", "plan", "balance", "expiry_date", "status"]
    list_select_related = ["customer", "plan"]
    list_filter = ["status", "plan"]
    search_fields = ["card_number", "customer__email"]
    inlines = [SeatInline]


@admin.register(MembershipEntry)
class MembershipEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "account",
        "kind",
        "amount",
        "balance_after",
        "store",
        "created_by",
    ]
    list_select_related = ["account", "store", "created_by"]
    list_filter = ["kind"]
    search_fields = ["account__card_number", "note"]
    show_full_result_count = False
