import django_tables2 as tables
from django.template.defaultfilters import date as format_date
from django.utils.html import format_html

from backoffice.tables import ObjectTable


class RegisterTable(ObjectTable):
    preference_key = "registers"
    default_columns = ("name", "store", "status", "last_seen_at", "key_prefix")
    fixed_columns = ("name",)
    phone_columns = ("name", "store", "status")
    detail_url_name = "registers:detail"

    name = tables.Column("Name", attrs={"td": {"class": "fw-semibold"}})
    store = tables.Column("Store")
    status = tables.Column("Status", accessor="is_active")
    last_seen_at = tables.Column("Last seen", attrs={"td": {"class": "text-nowrap small"}})
    key_prefix = tables.Column("Key", attrs={"td": {"class": "font-monospace"}})

    class Meta(ObjectTable.Meta):
        empty_text = "No registers yet."

    @classmethod
    def list_queryset(cls, queryset):
        return queryset.select_related("store")

    def render_name(self, record):
        return format_html('<a href="{}">{}</a>', self.detail_url(record), record.name)

    def render_status(self, record):
        badge = "text-bg-success" if record.is_active else "text-bg-secondary"
        return format_html('<span class="badge {}">{}</span>', badge, record.status)

    def render_last_seen_at(self, value):
        return format_date(value, "Y-m-d H:i")

    def render_key_prefix(self, value):
        return f"{value}…"
