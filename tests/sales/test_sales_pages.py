"""A customer's sales on their page (the latest, and their visits) and in full, a page at
a time."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from registers.services import register_create
from sales.services import record_sale
from tests.factories import OPS, make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(downtown):
    return make_customer(
        first_name="Ada", last_name="Lovelace", stores=[downtown], loyalty_balance=10
    )


def sell(customer, register, number, total="12.00", **parts):
    sale = {
        "id": f"R{number}", "customer": customer, "total": Decimal(total),
        "occurred_at": timezone.now() - datetime.timedelta(days=30 - number), **parts,
    }  # fmt: skip
    return record_sale(register=register, sale=sale, fingerprint=f"R{number}")[0]


@pytest.fixture
def front_desk(downtown):
    return register_create(name="Front desk", store=downtown, actor=OPS)[0]


def test_the_customer_page_shows_visits_and_the_latest_five_sales(clerk_client, ada, front_desk):
    for number in range(1, 8):
        sell(ada, front_desk, number)

    page = clerk_client.get(ada.get_absolute_url()).content.decode()

    assert 'id="sales-title"' in page
    assert "7 visits, last on" in page and "USD 84.00 spent, 84 points earned" in page
    assert page.count('<td data-label="Register">Front desk</td>') == 5
    assert reverse("sales:customer_sales", args=[ada.pk]) in page


def test_a_customer_without_sales_has_no_sales_card(clerk_client, ada):
    assert 'id="sales-title"' not in clerk_client.get(ada.get_absolute_url()).content.decode()


def test_the_customer_pages_queries_do_not_grow_with_sales(
    clerk_client, ada, front_desk, django_assert_max_num_queries
):
    sell(ada, front_desk, 1)
    with django_assert_max_num_queries(60) as one:
        clerk_client.get(ada.get_absolute_url())
    for number in range(2, 9):
        sell(ada, front_desk, number)

    with django_assert_max_num_queries(len(one.captured_queries)):
        clerk_client.get(ada.get_absolute_url())


def test_every_sale_a_page_at_a_time_newest_first(clerk_client, ada, front_desk):
    for number in range(1, 4):
        sell(ada, front_desk, number, points_redeemed=5 if number == 3 else 0)

    response = clerk_client.get(reverse("sales:customer_sales", args=[ada.pk]))

    assert [sale.receipt_id for sale in response.context["sales"]] == ["R3", "R2", "R1"]
    assert "+11, -5 redeemed" in response.content.decode()


def test_the_list_and_its_export_have_each_customers_visits(manager_client, ada, front_desk):
    sell(ada, front_desk, 1, total="30.50")

    columns = manager_client.get(reverse("customers:list")).context["table"]
    exported = b"".join(manager_client.get(reverse("customers:export")).streaming_content)

    assert {"Last visit", "Visits", "Total spent"} <= {
        str(column.verbose_name) for column in columns.base_columns.values()
    }
    header, row = (line.split(",") for line in exported.decode().splitlines()[:2])
    cells = dict(zip(header, row, strict=True))
    assert (cells["sale_count"], cells["total_spent"]) == ("1", "30.50")
    assert cells["last_sale_at"].startswith(str(timezone.localdate(ada.sales.get().occurred_at)))
