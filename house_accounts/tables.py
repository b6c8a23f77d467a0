import django_tables2 as tables
from django.template.defaultfilters import date as format_date

from backoffice.money import format_money
from backoffice.tables import MoneyEntryTable, ObjectTable


class HouseAccountTable(ObjectTable):
    preference_key = "house-accounts"
    default_columns = ("customer", "account_number", "limit", "max_amount", "balance")
    fixed_columns = ("customer",)
    phone_columns = ("customer", "account_number", "balance")
    row_actions = (
        ("Edit", "house_accounts:edit", "house_accounts.change_houseaccount"),
        ("Delete", "house_accounts:delete", "house_accounts.delete_houseaccount", "post"),
    )

    customer = tables.Column("Customer")
    account_number = tables.Column("Account Number")
    limit = tables.Column("Limit", accessor="limit_amount", empty_values=())
    max_amount = tables.Column("Max Amount", empty_values=(), attrs={"td": {"class": "text-end"}})
    balance = tables.Column("Balance", attrs={"td": {"class": "text-end text-nowrap"}})
    created_at = tables.Column("Opened", attrs={"td": {"class": "text-nowrap"}})

    class Meta(ObjectTable.Meta):
        empty_text = "No house accounts match."

    @classmethod
    def list_queryset(cls, queryset):
        return queryset.select_related("customer")

    def render_limit(self, record):
        if not record.period_limit_enabled:
            return "—"
        return f"{format_money(record.limit_amount)} {record.get_limit_period_display().lower()}"

    def render_max_amount(self, record):
        return format_money(record.max_amount) if record.max_limit_enabled else "—"

    def render_balance(self, value):
        return format_money(value)

    def render_created_at(self, value):
        return format_date(value, "Y-m-d")


class HouseAccountEntryTable(MoneyEntryTable):
    preference_key = "house-account-entries"
    default_columns = (
        "created_at", "kind", "store", "reference", "amount", "balance_after", "created_by",
    )  # fmt: skip

    reference = tables.Column("Reference")

    class Meta(MoneyEntryTable.Meta):
        pass
