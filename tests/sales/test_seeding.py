"""seed_demo --sales: demo sales written in bulk, every total and balance in step."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from customers.models import Customer
from loyalty.models import LoyaltyAccount, LoyaltyLedgerEntry, Reason
from sales import seeding
from sales.models import Sale, StoreDay
from stores.models import Store


def seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def balances_add_up():
    out = StringIO()
    call_command("check_balances", stdout=out)
    return out.getvalue().count("every balance equals its entries") == 3


@pytest.fixture
def demo_with_sales(db):
    seed(customers=60, stores=4, sales=700, batch_size=20)


def test_the_demo_stores_keep_their_cities_clocks(demo_with_sales):
    zones = dict(Store.objects.values_list("code", "time_zone"))
    here = settings.TIME_ZONE
    assert zones == {"DT01": here, "RV02": here, "AP03": here, "S004": "America/Denver"}


def test_the_demo_has_as_many_sales_as_asked_through_each_store_demo_till(demo_with_sales):
    assert Sale.objects.count() == 700
    sales = Sale.objects.select_related("register", "customer")
    assert {sale.register.name for sale in sales} == {seeding.DEMO_TILL}
    assert all(sale.register.store_id == sale.store_id for sale in sales)
    stores = dict(Customer.stores.through.objects.values_list("customer_id", "store_id"))
    assert all(sale.store_id in set(stores.values()) for sale in sales)
    earliest = timezone.now() - timedelta(days=seeding.DAYS, minutes=1)
    assert all(max(earliest, sale.customer.created_at) <= sale.occurred_at for sale in sales)


def test_each_customer_visits_are_their_sales(demo_with_sales):
    assert Customer.objects.filter(sale_count=0).count() < 20  # most came, some did not
    assert_visits_are_the_sales()


def assert_visits_are_the_sales():
    expected = {
        row["customer"]: row
        for row in Sale.objects.values("customer").annotate(
            count=Count("id"),
            spent=Sum("total"),
            points=Sum("points_earned"),
            first=Min("occurred_at"),
            last=Max("occurred_at"),
        )  # fmt: skip
    }
    for customer in Customer.objects.all():
        row = expected.get(customer.pk)
        if row is None:
            assert (customer.sale_count, customer.first_sale_at) == (0, None)
            continue
        assert customer.sale_count == row["count"]
        assert customer.total_spent == round(row["spent"], 2)
        assert customer.lifetime_points == row["points"]
        assert (customer.first_sale_at, customer.last_sale_at) == (row["first"], row["last"])


def test_points_are_earned_and_redeemed_through_the_ledger_and_balances_add_up(demo_with_sales):
    assert balances_add_up()
    entries = LoyaltyLedgerEntry.objects.values("reason").annotate(total=Sum("delta"))
    moved = {row["reason"]: row["total"] for row in entries}
    sales = Sale.objects.aggregate(earned=Sum("points_earned"), redeemed=Sum("points_redeemed"))
    assert moved[Reason.PURCHASE] == sales["earned"] > 0
    assert -moved[Reason.REDEMPTION] == sales["redeemed"] > 0
    for account in LoyaltyAccount.objects.filter(enrolled=True).select_related("customer"):
        assert account.customer.loyalty_points == account.balance
        last = account.customer.sales.first()
        if last is not None:  # a till retrying it would be told the balance after it
            assert last.result["loyalty_balance"] == account.balance


def test_the_stores_days_are_the_sum_of_their_sales(demo_with_sales):
    assert StoreDay.objects.aggregate(Sum("sales"))["sales__sum"] == 700
    assert_days_are_the_sales()


def assert_days_are_the_sales():
    days = StoreDay.objects.aggregate(
        sales=Sum("sales"), total=Sum("total"), earned=Sum("points_earned"),
        redeemed=Sum("points_redeemed"), new=Sum("new_customers"), visits=Sum("visits"),
    )  # fmt: skip
    sales = Sale.objects.aggregate(
        count=Count("id"), total=Sum("total"), earned=Sum("points_earned"),
        redeemed=Sum("points_redeemed"),
    )  # fmt: skip
    # Each sale is on its store's day; a visit is a day on the store's clock on which the
    # customer bought there.
    zones = {store.pk: store.zone for store in Store.objects.all()}
    sold = [
        (customer, store, occurred_at.astimezone(zones[store]).date())
        for customer, store, occurred_at in Sale.objects.values_list(
            "customer", "store", "occurred_at"
        )
    ]
    visits = set(sold)
    by_day = Counter((store, day) for _, store, day in sold)
    assert {(row.store_id, row.day): row.sales for row in StoreDay.objects.all()} == by_day
    # Rounded to the cent: SQLite sums decimals in floating point.
    assert (days["sales"], round(days["total"], 2), days["earned"], days["redeemed"]) == (
        sales["count"], round(sales["total"], 2), sales["earned"], sales["redeemed"]
    )  # fmt: skip
    assert days["new"] == Customer.objects.filter(sale_count__gt=0).count()
    assert days["visits"] == len(visits)


def test_an_interrupted_load_of_sales_keeps_whole_batches_and_goes_on(db, monkeypatch):
    original, calls = seeding.write_batch, []

    def interrupted(shop, batch):
        calls.append(batch)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(shop, batch)

    monkeypatch.setattr(seeding, "write_batch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        seed(customers=60, sales=600, batch_size=20)
    written = Sale.objects.count()
    assert 0 < written < 600
    assert Customer.objects.aggregate(Sum("sale_count"))["sale_count__sum"] == written
    assert StoreDay.objects.aggregate(Sum("sales"))["sales__sum"] == written
    assert balances_add_up()

    monkeypatch.setattr(seeding, "write_batch", original)
    seed(customers=60, sales=600, batch_size=20)

    assert Sale.objects.count() == 600
    assert StoreDay.objects.aggregate(Sum("sales"))["sales__sum"] == 600
    assert balances_add_up()


def test_add_gives_sales_to_the_customers_without_any(db):
    seed(customers=30, sales=100)
    seed(customers=20, add=True)  # new customers, no sales yet
    came_before = set(Sale.objects.values_list("customer", flat=True))

    out = seed(customers=0, sales=50, add=True)

    assert "Added 0 customers (50 now) and 50 sales." in out
    added = Sale.objects.exclude(customer__in=came_before)
    assert added.count() == 50
    newcomers = Customer.objects.order_by("-pk")[:20].values_list("pk", flat=True)
    assert added.filter(customer__in=list(newcomers)).exists()
    assert balances_add_up()


def test_add_says_so_when_every_customer_has_sales(db):
    seed(customers=3, sales=300)

    out = seed(customers=0, sales=10, add=True)

    assert "Wrote 0 sales of 10: every other customer has sales already." in out
    assert Sale.objects.count() == 300


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
def test_processes_side_by_side_write_the_same_whole_story():
    seed(customers=60, stores=4, sales=700, batch_size=7, jobs=3)

    assert Sale.objects.count() == 700
    assert_visits_are_the_sales()
    assert_days_are_the_sales()
    assert balances_add_up()
