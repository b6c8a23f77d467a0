"""Visits and days follow the store's clock (issue 31, Low 11): a New York store's day is
New York's, whatever TIME_ZONE says, and a visit is a day on that clock on which the
customer bought there, however late its sales arrive."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from registers.services import register_create
from sales.models import StoreDay
from stores.models import Store
from tests.factories import OPS, make_customer, make_store
from tests.tills import till_client

pytestmark = pytest.mark.django_db

SALES = reverse("api_sales")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def server_in_utc(settings):
    settings.TIME_ZONE = "UTC"


@pytest.fixture
def new_york():
    return make_store("Manhattan", code="NY01", country="US", time_zone="America/New_York")


def till_of(store, device="till-1"):
    _, key = register_create(name=f"Front desk {store.code}", store=store, actor=OPS)
    return till_client(key, device=device)


@pytest.fixture
def till(new_york):
    return till_of(new_york)


@pytest.fixture
def ada(new_york):
    return make_customer(first_name="Ada", stores=[new_york])


@pytest.fixture
def day():
    """A New York day three days ago (a sale is taken up to SALE_MAX_AGE_DAYS old)."""
    return datetime.datetime.now(NEW_YORK).date() - datetime.timedelta(days=3)


def at(day, hour, minute=0, zone=NEW_YORK):
    return datetime.datetime.combine(day, datetime.time(hour, minute), zone)


def sell(till, customer, receipt, when, total="20.00", **fields):
    sale = {"id": receipt, "customer": customer.pk, "total": total,
            "occurred_at": when.isoformat(), **fields}  # fmt: skip
    response = till.post(SALES, sale, format="json")
    assert response.status_code == 201, response.content
    return response


def days_of(store):
    """{day: (sales, refunds, visits)} of ``store``."""
    return {
        row.day: (row.sales, row.refunds, row.visits)
        for row in StoreDay.objects.filter(store=store)
    }


def test_a_sale_at_half_past_eight_in_the_evening_is_on_new_yorks_day(till, ada, new_york, day):
    evening = at(day, 20, 30)
    assert evening.astimezone(datetime.UTC).date() == day + datetime.timedelta(days=1)

    sell(till, ada, "R1", evening)

    assert days_of(new_york) == {day: (1, 0, 1)}


def test_a_late_upload_of_yesterdays_sale_adds_no_visit(till, ada, new_york, day):
    tomorrow = day + datetime.timedelta(days=1)
    sell(till, ada, "R1", at(day, 10))
    sell(till, ada, "R2", at(tomorrow, 10))

    sell(till, ada, "R0", at(day, 9))  # the till was offline that morning

    assert days_of(new_york) == {day: (2, 0, 1), tomorrow: (1, 0, 1)}


def test_a_refund_then_a_purchase_on_one_day_is_one_visit(till, ada, new_york, day):
    tomorrow = day + datetime.timedelta(days=1)
    sell(till, ada, "R1", at(day, 10))

    sell(till, ada, "R2", at(tomorrow, 10), total="-20.00", refund_for="R1")
    sell(till, ada, "R3", at(tomorrow, 11))

    assert days_of(new_york) == {day: (1, 0, 1), tomorrow: (1, 1, 1)}


def test_a_purchase_in_each_of_two_stores_is_a_visit_to_each(till, ada, new_york, day):
    boston = make_store("Boston", code="BO01", time_zone="America/New_York")
    ada.stores.add(boston)

    sell(till, ada, "R1", at(day, 10))
    sell(till_of(boston, device="till-2"), ada, "R1", at(day, 12))

    assert days_of(new_york) == days_of(boston) == {day: (1, 0, 1)}


def test_each_store_counts_on_its_own_clock(ada, new_york, day):
    tokyo = make_store("Tokyo", code="TY01", time_zone="Asia/Tokyo")
    ada.stores.add(tokyo)
    # 20:30 in New York on the day is 09:30 in Tokyo the day after.
    sell(till_of(tokyo), ada, "R1", at(day, 20, 30))

    assert days_of(tokyo) == {day + datetime.timedelta(days=1): (1, 0, 1)}
    assert Store.objects.get(pk=new_york.pk).day_of(at(day, 20, 30)) == day


def test_the_customers_sales_show_on_the_stores_clock(manager_client, till, ada, day):
    sell(till, ada, "R1", at(day, 20, 30))

    page = manager_client.get(ada.get_absolute_url()).content.decode()
    listed = manager_client.get(reverse("sales:customer_sales", args=[ada.pk])).content.decode()

    assert f"1 visit, last on {day:%Y-%m-%d};" in page
    assert f"{day:%Y-%m-%d} 20:30" in page
    assert f"{day:%Y-%m-%d} 20:30" in listed
