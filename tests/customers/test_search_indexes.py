"""The customer search is served by indexes (issue 12): on PostgreSQL, pg_trgm GIN indexes
on exactly the expressions Django emits for the search's lookups."""

import pytest
from django.db import connection

from customers.filters import CustomerFilterSet
from customers.models import Customer
from tests.factories import make_customer

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_trgm indexes exist on PostgreSQL only"
)


def search_plan(query):
    """The plan of the list's search, on deleted and live customers alike."""
    queryset = CustomerFilterSet(
        {"q": query, "store": "all"}, queryset=Customer.all_objects.all()
    ).qs
    with connection.cursor() as cursor:
        # With a handful of rows a scan of the table, or of the created_at index the list
        # is sorted by, is cheapest; forbid both to see which index the search can use.
        cursor.execute("ANALYZE customers_customer")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        return queryset.explain()


@postgresql_only
@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("lovel", "customers_last_name_trgm"),
        ("ada@exam", "customers_email_trgm"),
        ("C-104", "customers_id_number_trgm"),
        ("7946 0958", "customers_phone_trgm"),
    ],
)
def test_a_contains_search_uses_the_trigram_index(downtown, query, index):
    for number in range(30):
        make_customer(last_name=f"Lovelace{number}", stores=[downtown])

    assert index in search_plan(query)


@pytest.mark.django_db
def test_the_indexes_exist_exactly_on_postgresql():
    with connection.cursor() as cursor:
        names = {
            name
            for constraints in [
                connection.introspection.get_constraints(cursor, "customers_customer")
            ]
            for name in constraints
        }

    trigram = {name for name in names if name.endswith("_trgm")}
    if connection.vendor == "postgresql":
        assert trigram == {
            f"customers_{column}_trgm"
            for column in ["first_name", "last_name", "company_name", "email", "id_number", "phone"]
        }
    else:
        assert trigram == set()
