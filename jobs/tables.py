import django_tables2 as tables
from django.template.defaultfilters import date as format_date

from backoffice.tables import ObjectTable


class JobTable(ObjectTable):
    preference_key = "jobs"
    default_columns = (
        "kind", "subject", "status", "attempts", "worker", "heartbeat_at", "progress", "problem"
    )  # fmt: skip
    fixed_columns = ("kind",)
    phone_columns = ("kind", "status", "progress")

    kind = tables.Column("Job")
    subject = tables.Column("For", orderable=False)
    status = tables.Column("State")
    attempts = tables.Column("Attempts")
    worker = tables.Column("Worker")
    heartbeat_at = tables.Column("Heartbeat", attrs={"td": {"class": "text-nowrap"}})
    progress = tables.Column("Progress", accessor="pk", empty_values=())
    created_at = tables.Column("Queued", attrs={"td": {"class": "text-nowrap"}})
    problem = tables.Column("Problem")

    class Meta(ObjectTable.Meta):
        empty_text = "No background jobs yet."

    def render_status(self, record):
        return record.get_status_display()

    def render_heartbeat_at(self, value):
        return format_date(value, "Y-m-d H:i:s")

    def render_created_at(self, value):
        return format_date(value, "Y-m-d H:i:s")

    def render_progress(self, record):
        if record.total is None:
            return f"{record.done:,}" if record.done else "—"
        return f"{record.done:,} of {record.total:,}"
