import django_tables2 as tables
from django.db.models import CharField, Prefetch
from django.db.models.functions import Cast
from django.template.defaultfilters import date as format_date
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from backoffice.copy_export import sql_twin
from backoffice.money import format_money
from backoffice.tables import ObjectTable
from stores.models import Store

# iso_from_database in SQL, over the stored time: in UTC as datetime.isoformat() writes it,
# without a fraction when it is zero.
ISO_TIME = (
    "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
    "mod(extract(microseconds FROM %(expressions)s)::integer, 1000000) = 0 THEN '' "
    "ELSE to_char(%(expressions)s AT TIME ZONE 'UTC', '.US') END || '+00:00'"
)


@sql_twin("CASE WHEN %(expressions)s THEN 'true' ELSE 'false' END")
def boolean(value):
    return "true" if value else "false"


@sql_twin(ISO_TIME, stored=True)
def iso_from_database(value):
    """A time as the database's text, in UTC ("2026-11-05 12:27:45.29564+00" from
    PostgreSQL, which drops a fraction's trailing zeros; "2026-11-05 12:27:45.295640" from
    SQLite), as ``datetime.isoformat()`` writes it ("2026-11-05T12:27:45.295640+00:00")."""
    moment = value.partition("+")[0]
    if "." in moment:
        whole, fraction = moment.split(".")
        moment = f"{whole}.{fraction:0<6}"
    return moment.replace(" ", "T", 1) + "+00:00"


@sql_twin("%(expressions)s")
def text(value):
    return value or ""


def store_badges(stores):
    """Store codes, each with its store's name as a tooltip: more rows fit on a screen."""
    return format_html_join(
        " ",
        '<abbr class="badge text-bg-light border text-decoration-none" title="{}">{}</abbr>',
        ((store.name, store.code) for store in stores),
    )


class CustomerTable(ObjectTable):
    """The customer list and its CSV export (columns in the CSV's order)."""

    preference_key = "customers"
    default_columns = (
        "photo",
        "name",
        "email",
        "phone",
        "stores",
        "loyalty_enrolled",
        "loyalty_balance",
        "created_at",
    )
    fixed_columns = ("name",)
    phone_columns = ("name", "email", "phone", "loyalty_balance")
    sort_keys = {
        "name": "name",
        "email": "email",
        "loyalty_balance": "balance",
        "created_at": "created",
    }
    detail_url_name = "customers:detail"
    row_actions = (
        ("View customer", "customers:detail", "customers.view_customer"),
        ("Edit customer", "customers:edit", "customers.change_customer"),
        ("Delete", "customers:bulk_delete", "customers.delete_customer", "post"),
    )

    photo = tables.Column("Photo", empty_values=(), exclude_from_export=True)
    name = tables.Column("Name", empty_values=(), exclude_from_export=True)

    id = tables.Column("ID")
    customer_type = tables.Column("Type")
    first_name = tables.Column("First name")
    last_name = tables.Column("Last name")
    company_name = tables.Column("Company name")
    email = tables.Column("Email")
    phone = tables.Column("Phone", attrs={"td": {"class": "text-nowrap"}})
    gender = tables.Column("Gender")
    date_of_birth = tables.DateColumn(format="Y-m-d", verbose_name="Date of birth")
    nationality = tables.Column("Nationality")
    anniversary = tables.DateColumn(format="Y-m-d", verbose_name="Anniversary of first visit")
    gate_code = tables.Column("Gate code")
    id_number = tables.Column("Customer ID number")
    notes = tables.Column("Notes")
    # The page reads the stores prefetched into a list (list_queryset); the export reads
    # them through export_many.
    stores = tables.Column("Stores", accessor="store_list", empty_values=())
    loyalty_enrolled = tables.Column("Loyalty", accessor="loyalty_account", empty_values=())
    loyalty_balance = tables.Column(
        "Balance", accessor="loyalty_account", empty_values=(), attrs={"td": {"class": "text-end"}}
    )
    address_line1 = tables.Column("Address line 1")
    address_line2 = tables.Column("Apt / suite")
    city = tables.Column("City")
    state = tables.Column("State")
    zip_code = tables.Column("Zip code")
    country = tables.Column("Country")
    created_at = tables.Column("Created", attrs={"td": {"class": "text-nowrap small"}})
    updated_at = tables.Column("Updated", attrs={"td": {"class": "text-nowrap small"}})
    # Kept by the sales the registers record (after the CSV's first columns, which other
    # tools read by position too).
    last_sale_at = tables.Column("Last visit", attrs={"td": {"class": "text-nowrap small"}})
    sale_count = tables.Column("Visits", attrs={"td": {"class": "text-end"}})
    total_spent = tables.Column("Total spent", attrs={"td": {"class": "text-end text-nowrap"}})
    email_consent = tables.Column("Marketing by e-mail")
    sms_consent = tables.Column("Marketing by SMS")

    class Meta(ObjectTable.Meta):
        default = ""
        empty_text = "No customers match."

    @classmethod
    def list_queryset(cls, queryset):
        return queryset.select_related("loyalty_account").prefetch_related(
            Prefetch("stores", queryset=Store.objects.order_by("code"), to_attr="store_list")
        )

    def render_photo(self, record):
        if record.photo:
            return format_html(
                '<img src="{}" alt="" class="customer-thumb rounded-circle" width="36" '
                'height="36" loading="lazy">',
                self.record_url("customers:photo")(record.pk),
            )
        return format_html(
            '<span class="customer-thumb customer-thumb-empty rounded-circle" '
            'aria-hidden="true">{}{}</span>',
            record.first_name[:1].upper(),
            record.last_name[:1].upper(),
        )

    def render_name(self, record):
        link = format_html(
            '<a href="{}" class="fw-semibold text-decoration-none text-nowrap">{}</a>',
            self.detail_url(record),
            record.display_name,
        )
        if record.is_business:
            return format_html(
                '{}<br><span class="small text-body-secondary">Business · {}</span>',
                link,
                record.full_name,
            )
        return link

    def render_phone(self, value):
        # Stored numbers were valid when saved: str() would check each one again, a tenth
        # of the list's rendering time.
        return value.as_international

    def render_customer_type(self, record):
        return record.get_customer_type_display()

    def render_gender(self, record):
        return record.get_gender_display()

    def render_nationality(self, value):
        return value.name

    def render_country(self, value):
        return value.name

    def render_stores(self, record):
        return store_badges(record.store_list)  # prefetched by list_queryset

    def render_loyalty_enrolled(self, value):
        if value and value.enrolled:
            return mark_safe('<span class="badge text-bg-success">Enrolled</span>')
        return mark_safe('<span class="badge text-bg-light border">Not enrolled</span>')

    def render_loyalty_balance(self, value):
        return value.balance if value and value.enrolled else ""

    def render_created_at(self, value):
        return format_date(value, "Y-m-d")

    def render_updated_at(self, value):
        return format_date(value, "Y-m-d H:i")

    def render_last_sale_at(self, value):
        return format_date(value, "Y-m-d")

    def render_total_spent(self, value):
        return format_money(value)

    def render_email_consent(self, record):
        return record.get_email_consent_display()

    def render_sms_consent(self, record):
        return record.get_sms_consent_display()

    # The CSV's cells, from the raw values read by ``ObjectTable.csv_lines``.
    export_sources = {
        "id": "pk",
        # The stored E.164 text: a PhoneNumber object and back costs more than the row.
        "phone": Cast("phone", output_field=CharField()),
        "loyalty_enrolled": "loyalty_account__enrolled",
        "loyalty_balance": "loyalty_account__balance",
        # Dates and times as the database writes them: parsing a million of each was a
        # fifth of the export's time. Dates are already ISO; times need a "T" and ":00".
        "date_of_birth": Cast("date_of_birth", output_field=CharField()),
        "anniversary": Cast("anniversary", output_field=CharField()),
        "created_at": Cast("created_at", output_field=CharField()),
        "updated_at": Cast("updated_at", output_field=CharField()),
        "last_sale_at": Cast("last_sale_at", output_field=CharField()),
    }
    export_many = {"stores": "stores__code"}
    export_kinds = {
        "date_of_birth": "date",
        "anniversary": "date",
        "created_at": "datetime",
        "updated_at": "datetime",
        "last_sale_at": "datetime",
        "sale_count": "number",
        "total_spent": "number",
        "loyalty_enrolled": "boolean",
        "loyalty_balance": "number",
    }

    value_phone = staticmethod(text)
    value_date_of_birth = staticmethod(text)
    value_anniversary = staticmethod(text)
    value_nationality = staticmethod(text)
    value_country = staticmethod(text)
    value_loyalty_enrolled = staticmethod(boolean)
    value_created_at = staticmethod(iso_from_database)
    value_updated_at = staticmethod(iso_from_database)

    @staticmethod
    @sql_twin(ISO_TIME, stored=True)
    def value_last_sale_at(value):
        return iso_from_database(value) if value else ""


class DeletedCustomerTable(ObjectTable):
    preference_key = "deleted_customers"
    default_columns = ("name", "email", "stores", "deleted_at")
    fixed_columns = ("name",)
    phone_columns = ("name", "email", "deleted_at")

    name = tables.Column("Name", empty_values=(), attrs={"td": {"class": "text-nowrap"}})
    email = tables.Column("Email")
    stores = tables.Column("Stores", empty_values=())
    deleted_at = tables.Column("Deleted", attrs={"td": {"class": "small text-nowrap"}})

    class Meta(ObjectTable.Meta):
        empty_text = "No deleted customers."

    @classmethod
    def list_queryset(cls, queryset):
        return queryset.select_related("deleted_by").prefetch_related("stores")

    def render_name(self, record):
        return str(record)

    def render_stores(self, record):
        return store_badges(record.stores.all())

    def render_deleted_at(self, record):
        by = record.deleted_by
        when = format_date(record.deleted_at, "Y-m-d H:i")
        return f"{when} by {by.get_full_name() or by}" if by else when
