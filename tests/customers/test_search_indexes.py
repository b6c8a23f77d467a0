"""The customer search is served by indexes (issue 12): on PostgreSQL, pg_trgm GIN indexes
on exactly the expressions Django emits for the search's lookups; on SQLite, an FTS5
trigram table kept in step by triggers."""

import pytest
from django.db import connection
from django.urls import reverse

from customers.filters import CustomerFilterSet
from customers.models import Customer
from customers.search_index import TRIGGERS, ensure_sqlite_search_index
from customers.services import customer_save, customers_delete, customers_purge
from tests.factories import OPS, make_customer

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_trgm indexes exist on PostgreSQL only"
)


def search_plan(query, customers=Customer.all_objects):
    """The plan of the list's search, on deleted and live customers alike (or on
    ``customers``)."""
    queryset = CustomerFilterSet({"q": query, "store": "all"}, queryset=customers.all()).qs
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


def names_found(client, query):
    response = client.get(reverse("customers:list"), {"q": query, "store": "all"})
    return [customer.last_name for customer in response.context["customers"]]


def test_the_index_follows_creates_edits_and_purges(clerk_client, downtown):
    ada = make_customer(first_name="Ada", last_name="Lovelace", stores=[downtown])
    assert names_found(clerk_client, "lovel") == ["Lovelace"]

    ada.last_name = "Byron"
    customer_save(customer=ada, stores=[downtown], actor=OPS)
    assert names_found(clerk_client, "lovel") == []
    assert names_found(clerk_client, "byro") == ["Byron"]

    customers_delete(customers=[ada], actor=OPS)
    customers_purge(customers=[ada], actor=OPS)
    assert names_found(clerk_client, "byro") == []


def test_letters_beyond_ascii_match_in_any_case(clerk_client, downtown):
    make_customer(first_name="Jürgen", last_name="Müller", stores=[downtown])

    assert names_found(clerk_client, "MÜLLER") == ["Müller"]
    assert names_found(clerk_client, "jürg") == ["Müller"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's")
def test_a_table_rebuilt_by_a_later_migration_gets_its_triggers_back(db):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER customers_search_after_update")
    ensure_sqlite_search_index()

    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        triggers = {name for (name,) in cursor.fetchall()}
    assert set(TRIGGERS) <= triggers


class TestWholeEmailsPhonesAndCodesAreLookedUpExactly:
    """A search for a whole email, phone number or customer ID number shows that customer
    only, from an index; when no customer has it, the search looks inside the fields."""

    @pytest.fixture
    def namesakes(self, downtown):
        return [
            make_customer(
                last_name="Ada", email="ada@example.com", phone="+14155550123",
                id_number="C-1004", stores=[downtown],
            ),
            make_customer(
                last_name="Nada", email="nada@example.com", phone="+14155550124",
                id_number="C-10042", stores=[downtown],
            ),
        ]  # fmt: skip

    @pytest.mark.parametrize(
        "query", ["ADA@example.com", "(415) 555-0123", "+1 415 555 0123", "C-1004"]
    )
    def test_the_whole_value_finds_only_its_customer(self, clerk_client, namesakes, query):
        assert names_found(clerk_client, query) == ["Ada"]

    def test_the_customer_number_shows_its_customer_first_and_the_phones_ending_so_after(
        self, clerk_client, namesakes, downtown
    ):
        nada = namesakes[1]
        digits = str(nada.pk).zfill(4)
        ends_so = make_customer(last_name="Ends", phone=f"+1415555{digits}", stores=[downtown])

        response = clerk_client.get(reverse("customers:list"), {"q": digits})

        assert response.context["numbered_customer"] == nada
        page = response.content.decode()
        assert page.index(f"Customer number {nada.pk}") < page.index("Ends")
        assert [customer.pk for customer in response.context["customers"]] == [ends_so.pk]

    def test_another_stores_customer_number_shows_nobody(self, client, cashier, namesakes):
        client.force_login(cashier)  # Riverside's: Ada and Nada are Downtown's

        response = client.get(reverse("customers:list"), {"q": str(namesakes[1].pk).zfill(4)})

        assert response.context["numbered_customer"] is None
        assert "Nada" not in response.content.decode()

    @pytest.mark.parametrize("query", ["a@example.com", "555-012", "C-100"])
    def test_an_unknown_whole_value_is_searched_inside_the_fields(
        self, clerk_client, namesakes, query
    ):
        assert sorted(names_found(clerk_client, query)) == ["Ada", "Nada"]

    @postgresql_only
    @pytest.mark.parametrize(
        ("query", "index"),
        [
            ("ada@example.com", "customers_customer_email_ci_unique"),
            ("+14155550123", "customers_live_phone"),
            ("C-1004", "customers_live_id_number"),
        ],
    )
    def test_the_exact_lookup_uses_its_index(self, namesakes, query, index):
        # Among a few rows, any index of live customers reads them all as cheaply.
        Customer.objects.bulk_create(
            Customer(
                first_name="Other", last_name=f"Customer{number}", sort_name="Customer",
                email=f"other{number}@example.com", phone=f"+1415555{number:04d}",
                id_number=f"X-{number}",
            )
            for number in range(1000, 1500)
        )  # fmt: skip

        assert index in search_plan(query, customers=Customer.objects)
