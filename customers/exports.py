"""The customer CSV export, shared by the list's Export button and ``export_customers``."""

import csv

from django.db.models import CharField, Prefetch
from django.db.models.functions import Cast

from stores.models import Store

HEADER = [
    "id",
    "customer_type",
    "first_name",
    "last_name",
    "company_name",
    "email",
    "phone",
    "gender",
    "date_of_birth",
    "nationality",
    "anniversary",
    "gate_code",
    "id_number",
    "notes",
    "stores",
    "loyalty_enrolled",
    "loyalty_balance",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "zip_code",
    "country",
    "created_at",
    "updated_at",
]
# OWASP "CSV injection": a spreadsheet runs a cell starting with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
CHUNK_SIZE = 2000


def neutralise(value):
    """Prefix a text cell that a spreadsheet would run, so that it is shown as text."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def export_queryset(queryset):
    """The customers to export, with what each row needs fetched in bulk.

    The phone is read as the stored E.164 text: turning it into a PhoneNumber object and
    back costs more than the rest of the row (measured in bench/list_and_export.py).
    """
    return (
        queryset.select_related("loyalty_account")
        .prefetch_related(Prefetch("stores", queryset=Store.objects.only("code").order_by("code")))
        .defer("phone")
        .annotate(phone_e164=Cast("phone", output_field=CharField()))
    )


def customer_row(customer):
    account = getattr(customer, "loyalty_account", None)
    values = [
        customer.pk,
        customer.customer_type,
        customer.first_name,
        customer.last_name,
        customer.company_name,
        customer.email,
        customer.phone_e164 or "",
        customer.gender,
        iso(customer.date_of_birth),
        customer.nationality.code or "",
        iso(customer.anniversary),
        customer.gate_code,
        customer.id_number,
        customer.notes,
        ";".join(store.code for store in customer.stores.all()),
        boolean(account.enrolled) if account else "false",
        account.balance if account else "",
        customer.address_line1,
        customer.address_line2,
        customer.city,
        customer.state,
        customer.zip_code,
        customer.country.code or "",
        iso(customer.created_at),
        iso(customer.updated_at),
    ]
    return [neutralise(value) for value in values]


def iso(value):
    return value.isoformat() if value else ""


def boolean(value):
    return "true" if value else "false"


class Echo:
    """A file-like object that hands back what is written, for streaming with csv.writer."""

    def write(self, value):
        return value


def csv_lines(queryset):
    """Yield the export line by line: the header first, then one line per customer.

    The rows are read in chunks (a server-side cursor on PostgreSQL), so memory stays flat
    whatever the number of customers.
    """
    writer = csv.writer(Echo())
    yield writer.writerow(HEADER)
    for customer in export_queryset(queryset).iterator(chunk_size=CHUNK_SIZE):
        yield writer.writerow(customer_row(customer))
