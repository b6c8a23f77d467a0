import django_tables2 as tables
from django.template.defaultfilters import date as format_date

from backoffice.money import format_money
from backoffice.tables import MoneyEntryTable, ObjectTable


class MembershipTypeTable(ObjectTable):
    preference_key = "membership-types"
    default_columns = ("created_at", "name", "description")
    fixed_columns = ("name",)
    phone_columns = ("name", "description")
    row_actions = (
        ("Edit", "memberships:type_edit", "memberships.change_membershiptype"),
        ("Delete", "memberships:type_delete", "memberships.delete_membershiptype", "post"),
    )
    detail_url_name = "memberships:type_edit"

    created_at = tables.Column("Date", attrs={"td": {"class": "text-nowrap"}})
    name = tables.Column("Type")
    price_level = tables.Column("Price level")
    description = tables.Column("Description")

    class Meta(ObjectTable.Meta):
        empty_text = "No membership types yet: add one with “+ Membership Type”."

    def render_created_at(self, value):
        return format_date(value, "Y-m-d")

    def render_price_level(self, record):
        return record.get_price_level_display()


class MembershipPlanTable(ObjectTable):
    preference_key = "membership-plans"
    default_columns = (
        "created_at", "name", "membership_type", "tax_exempt", "allowance", "period",
    )  # fmt: skip
    fixed_columns = ("name",)
    phone_columns = ("name", "allowance", "period")
    row_actions = (
        ("Edit", "memberships:plan_edit", "memberships.change_membershipplan"),
        ("Delete", "memberships:plan_delete", "memberships.delete_membershipplan", "post"),
    )
    detail_url_name = "memberships:plan_edit"

    created_at = tables.Column("Date", attrs={"td": {"class": "text-nowrap"}})
    name = tables.Column("Name")
    membership_type = tables.Column("Type")
    tax_exempt = tables.Column("Tax exemption")
    allowance = tables.Column("Allowance", attrs={"td": {"class": "text-end text-nowrap"}})
    period = tables.Column("Allowance period")
    auto_renew = tables.Column("Auto renewal")

    class Meta(ObjectTable.Meta):
        empty_text = "No membership plans yet: add one with “+ Membership Plan”."

    @classmethod
    def list_queryset(cls, queryset):
        return queryset.select_related("membership_type")

    def render_created_at(self, value):
        return format_date(value, "Y-m-d")

    def render_tax_exempt(self, value):
        return "Yes" if value else "No"

    def render_auto_renew(self, value):
        return "Yes" if value else "No"

    def render_allowance(self, value):
        return format_money(value)

    def render_period(self, record):
        return record.get_period_display()


class MembershipAccountTable(ObjectTable):
    preference_key = "membership-accounts"
    default_columns = ("customer", "card_number", "plan", "balance", "expiry_date", "status")
    fixed_columns = ("customer",)
    phone_columns = ("customer", "card_number", "balance")
    row_actions = (
        ("View", "memberships:account", "memberships.view_membershipaccount"),
        ("Edit", "memberships:account_edit", "memberships.change_membershipaccount"),
    )

    customer = tables.Column("Customer")
    card_number = tables.Column("Card Number")
    plan = tables.Column("Membership Plan")
    balance = tables.Column("Balance", attrs={"td": {"class": "text-end text-nowrap"}})
    issue_date = tables.Column("Issued")
    expiry_date = tables.Column("Expires", attrs={"td": {"class": "text-nowrap"}})
    status = tables.Column("Status")
    created_at = tables.Column("Opened", attrs={"td": {"class": "text-nowrap"}})

    class Meta(ObjectTable.Meta):
        empty_text = "No membership accounts match."

    @classmethod
    def list_queryset(cls, queryset):
        return queryset.select_related("customer", "plan")

    def render_balance(self, value):
        return format_money(value)

    def render_issue_date(self, value):
        return format_date(value, "Y-m-d")

    def render_expiry_date(self, value):
        return format_date(value, "Y-m-d")

    def render_created_at(self, value):
        return format_date(value, "Y-m-d")

    def render_status(self, record):
        return record.get_status_display()


class MembershipEntryTable(MoneyEntryTable):
    preference_key = "membership-entries"

    class Meta(MoneyEntryTable.Meta):
        pass
