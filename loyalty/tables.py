import django_tables2 as tables
from django.template.defaultfilters import date as format_date

from backoffice.tables import ObjectTable, person


class LedgerTable(ObjectTable):
    """A customer's loyalty ledger: every change of the balance and of the enrolment."""

    preference_key = "loyalty-ledger"
    default_columns = ("created_at", "delta", "reason", "note", "created_by", "balance_after")
    fixed_columns = ("created_at",)
    phone_columns = ("created_at", "delta", "reason", "balance_after")

    created_at = tables.Column("When", attrs={"td": {"class": "text-nowrap"}})
    delta = tables.Column("Change", attrs={"td": {"class": "text-end text-nowrap"}})
    reason = tables.Column("Reason")
    note = tables.Column("Note")
    created_by = tables.Column("Who", empty_values=())
    balance_after = tables.Column("Balance after", attrs={"td": {"class": "text-end"}})

    class Meta(ObjectTable.Meta):
        empty_text = "No loyalty history yet."

    def render_created_at(self, value):
        return format_date(value, "Y-m-d H:i")

    def render_delta(self, value):
        return f"{value:+d}" if value else "—"

    def render_reason(self, record):
        return record.get_reason_display()

    def render_created_by(self, record):
        return person(record.created_by)


class CardBatchTable(ObjectTable):
    """Batches of loyalty card codes, with how many of their cards were handed out: both
    counted among the cards the person may see (``LoyaltyCard.objects.for_actor``)."""

    preference_key = "loyalty-card-batches"
    default_columns = ("id", "created_at", "created_by", "size", "used")
    fixed_columns = ("id",)
    phone_columns = ("id", "created_at", "size", "used")
    detail_url_name = "loyalty:sheet"
    row_actions = (
        ("Printable sheet", "loyalty:sheet", "loyalty.view_loyaltycardbatch"),
        ("PDF", "loyalty:sheet_pdf", "loyalty.view_loyaltycardbatch"),
    )

    id = tables.Column("Batch")
    created_at = tables.Column("Generated", attrs={"td": {"class": "text-nowrap"}})
    created_by = tables.Column("By", empty_values=())
    size = tables.Column("Codes", accessor="printable", attrs={"td": {"class": "text-end"}})
    used = tables.Column("Used", attrs={"td": {"class": "text-end"}})

    class Meta(ObjectTable.Meta):
        empty_text = "No codes generated yet."

    def render_id(self, value):
        return f"Batch {value}"

    def render_created_at(self, value):
        return format_date(value, "Y-m-d H:i")

    def render_created_by(self, record):
        return person(record.created_by)
