import django_tables2 as tables
from django.template.defaultfilters import date as format_date

from backoffice.tables import ObjectTable, person


class CustomerImportTable(ObjectTable):
    preference_key = "imports"
    default_columns = ("name", "created_by", "created_at", "status", "counts")
    fixed_columns = ("name",)
    phone_columns = ("name", "status", "counts")

    name = tables.Column("File")
    created_by = tables.Column("Who", empty_values=())
    created_at = tables.Column("When", attrs={"td": {"class": "text-nowrap"}})
    status = tables.Column("Status")
    counts = tables.Column("Rows", accessor="pk", empty_values=())

    class Meta(ObjectTable.Meta):
        empty_text = "No imports yet."

    def render_created_by(self, record):
        return person(record.created_by)

    def render_created_at(self, value):
        return format_date(value, "Y-m-d H:i")

    def render_status(self, record):
        return record.status_label

    def render_counts(self, record):
        if record.status == record.Status.DONE or record.created or record.updated:
            return f"{record.created:,} created, {record.updated:,} updated"
        if record.rows_total is not None:
            return (
                f"{record.to_create:,} to create, {record.to_update:,} to update, "
                f"{record.to_skip:,} to skip, {record.error_count:,} errors"
            )
        return f"{record.rows_done:,} checked"
