import django_tables2 as tables
from django.template.defaultfilters import date as format_date
from django.utils import timezone

from backoffice.money import cents, format_money
from backoffice.tables import ObjectTable


class SaleTable(ObjectTable):
    preference_key = "sales"
    default_columns = (
        "occurred_at", "store", "register", "receipt_id", "total", "paid_with", "points",
    )  # fmt: skip
    fixed_columns = ("occurred_at",)
    phone_columns = ("occurred_at", "total", "points")

    occurred_at = tables.Column("When", attrs={"td": {"class": "text-nowrap"}})
    store = tables.Column("Store")
    register = tables.Column("Register", accessor="register__name")
    receipt_id = tables.Column("Receipt", attrs={"td": {"class": "font-monospace"}})
    total = tables.Column("Total", attrs={"td": {"class": "text-end text-nowrap"}})
    paid_with = tables.Column("Paid with", empty_values=(), orderable=False)
    points = tables.Column("Points", empty_values=(), attrs={"td": {"class": "text-end"}})

    class Meta(ObjectTable.Meta):
        empty_text = "No sales yet."

    @classmethod
    def list_queryset(cls, queryset):
        return queryset.select_related("store", "register")

    def render_occurred_at(self, value, record):
        """On the clock of the store where it was made."""
        return format_date(timezone.localtime(value, record.store.zone), "Y-m-d H:i")

    def render_receipt_id(self, record):
        return f"{record.receipt_id} (refund)" if record.refund_for_id else record.receipt_id

    def render_total(self, value):
        return format_money(value)

    def render_paid_with(self, record):
        return paid_with(record)

    def render_points(self, record):
        return points_moved(record)


PAID_WITH = [
    ("points_value", "Points"),
    ("house_account_amount", "House account"),
    ("membership_amount", "Membership"),
    ("other_amount", "Cash or card"),
]


def paid_with(sale):
    """ "Points 1.00 · House account 10.00 · Cash or card 13.90": a sale's tender parts
    (a refund's, given back, are negative)."""
    parts = [
        f"{label} {cents(amount):,.2f}"
        for field, label in PAID_WITH
        if (amount := getattr(sale, field))
    ]
    return " · ".join(parts) or "—"


def points_moved(sale):
    """ "+25, −100 redeemed": what a sale did to the customer's points."""
    parts = []
    if sale.points_earned:
        parts.append(f"{sale.points_earned:+d}")
    if sale.points_redeemed:
        parts.append(f"{-sale.points_redeemed:+d} redeemed")
    return ", ".join(parts) or "—"
