"""On PostgreSQL the database writes the export's CSV (COPY): the file is byte for byte the
one Python writes of the same customers, whatever they hold."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from backoffice.copy_export import copy_csv
from customers.models import Customer
from customers.tables import CustomerTable
from tests.factories import make_customer, make_store

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")

UTC = datetime.UTC


def python_file(queryset):
    return "".join(CustomerTable.csv_lines(queryset)).encode()


def copy_file(queryset):
    """COPY reads through a connection of its own: the customers must be committed."""
    return copy_file_of(CustomerTable, queryset)


def copy_file_of(table_class, queryset):
    out = io.BytesIO()
    rows = list(copy_csv(table_class, queryset, out))
    return out.getvalue(), rows[-1] if rows else 0


@pytest.fixture
def awkward_customers(transactional_db):
    """Customers whose cells test every rule of the CSV: formulas, quotes, new lines, other
    alphabets, missing values, times with and without a fraction, several stores."""
    downtown = make_store("Downtown", code="DT01")
    lowercase = make_store("Corner shop", code="cs03")  # after "DT01" by code point
    zurich = make_store("Zürich", code="ZÜ04")
    made = [
        make_customer(
            first_name='=HYPERLINK("http://evil")',
            last_name="  +SUM(A1)",
            company_name="-2",
            notes="@cmd\nsecond line\r\nthird, with a comma",
            stores=[zurich, downtown, lowercase],
            loyalty_balance=120,
            phone="+12125550123",
            date_of_birth=datetime.date(1984, 2, 29),
            nationality="JP",
            country="US",
            city="東京",
        ),
        make_customer(
            first_name='Seán "the quote"',
            last_name="O'Brien",
            gate_code="\t#42",
            id_number=" leading space",
            stores=[downtown],
            loyalty_enrolled=True,
        ),
        make_customer(first_name="Zoë", last_name="Ålander", stores=[lowercase]),
        make_customer(first_name="Plain", last_name="Person", stores=[downtown]),
    ]
    times = [
        datetime.datetime(2026, 11, 5, 12, 27, 45, 295640, tzinfo=UTC),  # trailing zero
        datetime.datetime(2026, 11, 5, 12, 27, 45, 1, tzinfo=UTC),
        datetime.datetime(2026, 11, 5, 12, 27, 45, tzinfo=UTC),  # no fraction at all
        datetime.datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    for customer, moment in zip(made, times, strict=True):
        Customer.objects.filter(pk=customer.pk).update(created_at=moment, updated_at=moment)
    Customer.objects.filter(pk=made[0].pk).update(
        last_sale_at=times[1], sale_count=3, total_spent=Decimal("1234.50")
    )
    return made


@pytest.mark.parametrize(
    "ordering",
    [(), ("sort_name",), ("-created_at",), ("-last_sale_at",), ("last_sale_at",)],
    ids=["default", "name", "newest", "last visit first", "last visit last"],
)
def test_both_paths_write_the_same_bytes(awkward_customers, ordering):
    queryset = Customer.objects.all()
    if ordering:
        queryset = queryset.order_by(*ordering)

    written, rows = copy_file(queryset)

    assert written == python_file(queryset)
    assert rows == 4


def test_the_file_reads_as_the_customers_hold(awkward_customers):
    written, _ = copy_file(Customer.objects.order_by("pk"))
    header, first, second, third, _ = csv.reader(io.StringIO(written.decode(), newline=""))
    first, second, third = (dict(zip(header, row, strict=True)) for row in (first, second, third))

    assert first["first_name"] == '\'=HYPERLINK("http://evil")'
    assert first["last_name"] == "'  +SUM(A1)"
    assert first["company_name"] == "'-2"
    assert first["notes"] == "'@cmd\nsecond line\r\nthird, with a comma"
    assert first["phone"] == "+12125550123"
    assert first["stores"] == "DT01;ZÜ04;cs03"
    assert first["city"] == "東京"
    assert first["date_of_birth"] == "1984-02-29"
    assert first["created_at"] == "2026-11-05T12:27:45.295640+00:00"
    assert first["last_sale_at"] == "2026-11-05T12:27:45.000001+00:00"
    assert first["total_spent"] == "1234.50"
    assert first["loyalty_enrolled"] == "true"
    assert second["gate_code"] == "'\t#42"
    assert second["id_number"] == " leading space"
    assert second["first_name"] == 'Seán "the quote"'
    assert third["created_at"] == "2026-11-05T12:27:45+00:00"
    assert third["last_sale_at"] == third["date_of_birth"] == third["company_name"] == ""
    assert third["loyalty_enrolled"] == "false"


def test_a_filtered_list_gives_its_rows_alone(awkward_customers):
    queryset = Customer.objects.filter(stores__code="cs03").order_by("sort_name")

    written, rows = copy_file(queryset)

    assert written == python_file(queryset)
    assert rows == 2


def test_no_customers_is_the_header_alone(transactional_db):
    written, rows = copy_file(Customer.objects.all())

    assert written == python_file(Customer.objects.all())
    assert rows == 0


def test_a_conversion_without_its_sql_twin_is_refused(awkward_customers):
    class ShoutingTable(CustomerTable):
        value_city = staticmethod(str.upper)

    with pytest.raises(ImproperlyConfigured, match="value_city has no SQL twin"):
        copy_file_of(ShoutingTable, Customer.objects.all())
