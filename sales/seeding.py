"""Demo sales (``seed_demo --sales N``), written by the bulk loader.

The sales go to the customers who have none yet, a batch of customers at a time, each
batch all or nothing, so that an interrupted load goes on after its last whole batch when
it is run again. A customer's sales fall between the later of their creation and
``DAYS`` days ago, and now, at one of their stores, through that store's "Demo till".
Each sale earns points by the current earn rule; one in eight of a member's sales redeems
``POINTS_REDEEMED`` points when the balance allows. The points are posted by
``loyalty_post_in_bulk``, and the customers' visits and the stores' days are counted as
``sales.services.count_visit`` counts them: on each store's clock, a visit a day a customer
buys at a store.

No till sent these sales: their fingerprint is empty (a till sending one of their
receipts again would get a conflict), and they are not audit events one by one.
"""

import multiprocessing
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from django.db import connection, connections, transaction
from django.utils import timezone

from backoffice import audit, bulk
from backoffice.money import cents
from customers.models import Customer
from loyalty.models import EarnRule, LoyaltyAccount, Reason
from loyalty.services import loyalty_post_in_bulk
from registers.models import Register
from registers.services import register_create
from stores.models import Store

from .models import Sale, StoreDay

DEMO_TILL = "Demo till"
DAYS = 400
REDEEM_ONE_IN = 8
POINTS_REDEEMED = 100
# The answer a till is given (``services.balances_after``), with the loyalty balance.
RESULT = '{"loyalty_balance": %d, "house_account_balance": null, "membership_balance": null}'
# A sale's total in cents: from 3.00 to 180.00.
CENTS = (300, 18000)


def demo_sales():
    return Sale.objects.filter(register__name=DEMO_TILL)


@dataclass(frozen=True)
class Batch:
    """Customers from ``first`` to ``last`` (by id) and how many sales they make."""

    first: int
    last: int
    sales: int


@dataclass(frozen=True)
class Shop:
    """What every batch's sales share: the tills, the stores' time zones, the earn rule
    and the time of the load."""

    seed: int
    tills: dict
    zones: dict
    rule: EarnRule
    now: datetime


def seed_sales(count, *, seed, batch_size, jobs, progress):
    """Write ``count`` sales over the customers without any, ``batch_size`` customers per
    transaction, calling ``progress(sales written)`` after each batch. On PostgreSQL,
    ``jobs`` processes write batches side by side (the database checks each sale's keys
    as its batch commits: that is half of the time, and a second process fills it).
    Returns how many sales were written (none when no customer is left without sales)."""
    waiting = list(
        Customer.objects.filter(first_sale_at=None).order_by("pk").values_list("pk", flat=True)
    )
    plan = [
        Batch(
            first=waiting[start], last=waiting[min(start + batch_size, len(waiting)) - 1],
            # The batch's share of the sales, in proportion to the customers it covers.
            sales=count * min(start + batch_size, len(waiting)) // len(waiting)
            - count * start // len(waiting),
        )
        for start in range(0, len(waiting), batch_size)
    ]  # fmt: skip
    shop = Shop(
        seed=seed, tills=demo_tills(), rule=EarnRule.current(), now=timezone.now(),
        zones={store.pk: store.zone for store in Store.objects.all()},
    )  # fmt: skip
    if jobs > 1 and connection.vendor == "postgresql":
        connections.close_all()  # each process opens its own
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return counted(pool.imap_unordered(partial(write_batch, shop), plan), progress)
    return counted((write_batch(shop, batch) for batch in plan), progress)


def counted(batches, progress):
    """The sales the batches wrote, as each one ends."""
    written = 0
    for sales in batches:
        written += sales
        progress(sales)
    return written


def demo_tills():
    """{store id: the id of the store's demo till}, created where missing."""
    tills = dict(Register.objects.filter(name=DEMO_TILL).values_list("store_id", "pk"))
    for store in Store.objects.exclude(pk__in=tills):
        till, _ = register_create(name=DEMO_TILL, store=store, actor=audit.Actor("seed_demo"))
        tills[store.pk] = till.pk
    return tills


@transaction.atomic
def write_batch(shop, batch):
    """A batch's sales, points, visits and days, all or nothing: the number of sales."""
    customers = list(
        Customer.objects.filter(first_sale_at=None, pk__range=(batch.first, batch.last))
        .select_for_update()
        .values_list("pk", "created_at")
    )
    if not customers:  # they have had sales since the plan was made
        return 0
    sales = CustomersSales(customers, batch.sales, shop).make()
    bulk.insert_rows(Sale, sales.sales)
    loyalty_post_in_bulk(sales.points, customers=sales.visits)
    # In one order in every process, so that two batches never wait for each other's rows.
    days = sorted(sales.days.items())
    bulk.add_to(
        StoreDay,
        [
            {"store_id": store_id, "day": day, "refunds": 0, "sales": totals["sales"],
             "visits": totals["visits"], "new_customers": totals["new_customers"],
             "total": totals["total"], "points_earned": totals["points_earned"],
             "points_redeemed": totals["points_redeemed"]}
            for (store_id, day), totals in days
        ],
        unique=["store", "day"],
    )  # fmt: skip
    return batch.sales


class CustomersSales:
    """The sales a batch of customers make, with everything those sales move."""

    def __init__(self, customers, count, shop):
        self.customers, self.shop = customers, shop
        # The same sales whichever process writes the batch, and in whatever order.
        self.rng = rng = random.Random(f"{shop.seed}-{customers[0][0]}")
        ids = [pk for pk, _ in customers]
        # Who made each sale: at random among the batch (some make none, as in a shop).
        self.counts = Counter(rng.choice(ids) for _ in range(count))
        self.stores = defaultdict(list)
        for customer_id, store_id in Customer.stores.through.objects.filter(
            customer_id__in=ids
        ).values_list("customer_id", "store_id"):
            self.stores[customer_id].append(store_id)
        self.accounts = {
            customer_id: (pk, enrolled, balance)
            for customer_id, pk, enrolled, balance in LoyaltyAccount.objects.filter(
                customer_id__in=ids
            ).values_list("customer_id", "pk", "enrolled", "balance")
        }
        self.sales, self.points, self.visits = [], [], {}
        self.days = defaultdict(Counter)

    def make(self):
        for customer_id, created_at in self.customers:
            if self.counts[customer_id]:
                self.customer_sales(customer_id, created_at, self.counts[customer_id])
        return self

    def customer_sales(self, customer_id, created_at, count):
        rng = self.rng
        now = self.shop.now
        start = max(created_at, now - timedelta(days=DAYS))
        span = (now - start).total_seconds()
        moments = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(count))
        account_id, enrolled, balance = self.accounts.get(customer_id, (None, False, 0))
        tills = self.shop.tills
        stores = self.stores.get(customer_id) or list(tills)
        spent, earned_in_all, visited = Decimal(0), 0, set()  # (store, day)
        for number, moment in enumerate(moments, start=1):
            store_id = rng.choice(stores)
            receipt = f"D{customer_id}-{number}"  # a customer's sales are seeded once
            total = Decimal(rng.randint(*CENTS)).scaleb(-2)
            redeemed = (
                POINTS_REDEEMED
                if enrolled and balance >= POINTS_REDEEMED and rng.randrange(REDEEM_ONE_IN) == 0
                else 0
            )
            earned = self.shop.rule.points_for(total, redeemed) if enrolled else 0
            points_value = min(cents(redeemed * self.shop.rule.point_value), total)
            if redeemed:
                self.points.append(
                    (account_id, -redeemed, Reason.REDEMPTION, f"receipt {receipt}", moment)
                )
            if earned:
                self.points.append(
                    (account_id, earned, Reason.PURCHASE, f"receipt {receipt}", moment)
                )
            balance += earned - redeemed
            spent += total
            earned_in_all += earned
            self.sales.append(
                {"register_id": tills[store_id], "receipt_id": receipt,
                 "store_id": store_id, "customer_id": customer_id, "total": total,
                 "occurred_at": moment, "points_earned": earned, "points_redeemed": redeemed,
                 "points_value": points_value, "other_amount": total - points_value,
                 "fingerprint": "", "created_at": moment, "result": RESULT % balance}
            )  # fmt: skip
            day = moment.astimezone(self.shop.zones[store_id]).date()
            totals = self.days[store_id, day]
            totals["sales"] += 1
            totals["total"] += total
            totals["points_earned"] += earned
            totals["points_redeemed"] += redeemed
            if (store_id, day) not in visited:
                totals["visits"] += 1
                visited.add((store_id, day))
            if number == 1:
                totals["new_customers"] += 1
        self.visits[customer_id] = {
            "first_sale_at": moments[0], "last_sale_at": moments[-1], "sale_count": count,
            "total_spent": spent, "lifetime_points": earned_in_all,
        }  # fmt: skip
