import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.services import customers_delete
from tests.factories import make_customer


def test_admin_is_for_superusers_only(client, clerk):
    clerk.is_staff = True
    clerk.save()
    client.force_login(clerk)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_superuser_sees_customers_with_their_loyalty(client, superuser):
    customer = make_customer(first_name="Ada", loyalty_balance=5)
    client.force_login(superuser)

    changelist = client.get(reverse("admin:customers_customer_changelist"), {"q": "ada"})
    change = client.get(reverse("admin:customers_customer_change", args=[customer.pk]))
    ledger = client.get(reverse("admin:loyalty_loyaltyledgerentry_changelist"))

    assert "Ada" in changelist.content.decode()
    assert change.status_code == 200
    assert "Opening balance" in ledger.content.decode()


def test_ledger_is_read_only_in_admin(client, superuser):
    make_customer(loyalty_balance=5)
    client.force_login(superuser)

    assert client.get(reverse("admin:loyalty_loyaltyledgerentry_add")).status_code == 403


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:customers_customer_changelist",
        "admin:loyalty_loyaltyledgerentry_changelist",
        "admin:backoffice_auditevent_changelist",
    ],
)
def test_admin_lists_read_no_dates_of_every_row_and_count_once(client, superuser, url_name):
    for number in range(3):
        make_customer(last_name=f"Customer{number}", loyalty_balance=number + 1)
    client.force_login(superuser)

    with CaptureQueriesContext(connection) as searched:
        response = client.get(reverse(url_name), {"q": "customer"})

    assert response.status_code == 200
    sql = [query["sql"].upper() for query in searched]
    assert not [query for query in sql if "DISTINCT" in query and "CREATED_AT" in query]
    assert len([query for query in sql if "COUNT(" in query]) == 1


def test_admin_phone_search_uses_the_searchs_own_lookup(client, superuser):
    make_customer(last_name="Callme", phone="+442079460958")
    client.force_login(superuser)

    response = client.get(reverse("admin:customers_customer_changelist"), {"q": "2079460958"})

    assert "Callme" in response.content.decode()


def test_admin_search_is_the_lists_search(client, superuser):
    make_customer(last_name="Ada", email="ada@example.com")
    make_customer(last_name="Nada", email="nada@example.com")
    client.force_login(superuser)
    changelist = reverse("admin:customers_customer_changelist")

    whole_email = client.get(changelist, {"q": "ADA@example.com"}).content.decode()
    fragment = client.get(changelist, {"q": "ada@exa"}).content.decode()

    assert "Ada" in whole_email and "Nada" not in whole_email
    assert "Ada" in fragment and "Nada" in fragment


def test_admin_email_search_finds_live_and_deleted_customers_each_by_its_index(client, superuser):
    live = make_customer(last_name="Live", email="same@example.com")
    customers_delete(customers=[live], actor=superuser)  # frees the email for a newcomer
    make_customer(last_name="Newcomer", email="same@example.com")
    make_customer(last_name="Other", email="other@example.com")
    client.force_login(superuser)

    with CaptureQueriesContext(connection) as searched:
        page = client.get(
            reverse("admin:customers_customer_changelist"), {"q": "SAME@example.com"}
        ).content.decode()

    assert "Live" in page and "Newcomer" in page and "Other" not in page
    wheres = [query["sql"].split("WHERE", 1)[-1] for query in searched]
    lookups = [where for where in wheres if "LOWER" in where.upper()]
    assert len(lookups) == 2 and all("deleted_at" in where for where in lookups)
