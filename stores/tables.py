import django_tables2 as tables
from django.utils.html import format_html

from backoffice.tables import ObjectTable


class StaffTable(ObjectTable):
    """Staff members with their roles and the stores they hold."""

    preference_key = "staff"
    default_columns = ("username", "name", "roles", "stores")
    fixed_columns = ("username",)
    phone_columns = ("username", "stores")
    detail_url_name = "staff:stores"

    username = tables.Column("Username", attrs={"td": {"class": "fw-semibold"}})
    name = tables.Column("Name", accessor="last_name", order_by=("last_name", "first_name"))
    roles = tables.Column("Roles", accessor="pk", orderable=False)
    stores = tables.Column("Stores held", accessor="pk", orderable=False)

    class Meta(ObjectTable.Meta):
        empty_text = "No staff yet."

    @classmethod
    def list_queryset(cls, queryset):
        return queryset.prefetch_related("groups", "held_stores__store")

    def render_username(self, record):
        return format_html('<a href="{}">{}</a>', self.detail_url(record), record.username)

    def render_name(self, record):
        return record.get_full_name()

    def render_roles(self, record):
        roles = [group.name for group in record.groups.all()]
        if record.is_superuser:
            roles.insert(0, "Superuser")
        return ", ".join(roles) or "—"

    def render_stores(self, record):
        codes = sorted(held.store.code for held in record.held_stores.all())
        return ", ".join(codes) or "—"
