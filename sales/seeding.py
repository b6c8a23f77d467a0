"""Demo sales (``seed_demo --sales N``), written by the bulk loader.

The sales go to the customers who have none yet, a batch of customers at a time, each
batch all or nothing, so that an interrupted load goes on after its last whole batch when
it is run again. A customer's sales fall between the later of their creation and
``DAYS`` days ago, and now, at one of their stores, through that store's "Demo till".
Each sale earns points by the current earn rule; one in eight of a member's sales redeems
``POINTS_REDEEMED`` points when the balance allows. The points are posted by
``loyalty_post_in_bulk``, and the customers' visits and the stores' days are counted as
``sales.services.count_visit`` counts them.

No till sent these sales: their fingerprint is empty (a till sending one of their
receipts again would get a conflict), and they are not audit events one by one.
"""

import random
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from backoffice import audit, bulk
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


def seed_sales(count, *, rng, batch_size, progress):
    """Write ``count`` sales over the customers without any, ``batch_size`` customers per
    transaction, calling ``progress(sales written)`` after each batch. Returns how many
    sales were written (fewer when too few customers are left without sales)."""
    tills = demo_tills()
    waiting = Customer.objects.filter(first_sale_at=None).order_by("pk")
    customers = waiting.count()
    rule = EarnRule.current()
    now = timezone.now()
    written = seen = last = 0
    while seen < customers and written < count:
        with transaction.atomic():
            batch = list(
                waiting.filter(pk__gt=last)
                .select_for_update()
                .values_list("pk", "created_at")[:batch_size]
            )
            if not batch:
                break
            # The batch's share of the sales, in proportion to the customers it covers.
            share = count * (seen + len(batch)) // customers - count * seen // customers
            write_batch(SalesBatch(batch, share, rng=rng, tills=tills, rule=rule, now=now))
        seen += len(batch)
        last = batch[-1][0]
        written += share
        progress(share)
    return written


def demo_tills():
    """{store id: the store's demo till}, created where missing."""
    tills = {till.store_id: till for till in Register.objects.filter(name=DEMO_TILL)}
    for store in Store.objects.exclude(pk__in=tills):
        tills[store.pk], _ = register_create(
            name=DEMO_TILL, store=store, user=audit.Actor("seed_demo")
        )
    return tills


class SalesBatch:
    """A batch of customers and the sales they make, with everything those sales move."""

    def __init__(self, customers, count, *, rng: random.Random, tills, rule, now):
        self.customers, self.rng, self.tills, self.rule, self.now = customers, rng, tills, rule, now
        ids = [pk for pk, _ in customers]
        # Who made each sale: at random among the batch (some make none, as in a shop).
        self.counts = Counter(rng.choice(ids) for _ in range(count))
        self.sale_ids = iter(bulk.reserve_ids(Sale, count))
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
        self.zone = timezone.get_current_timezone()
        self.sales, self.points, self.visits = [], [], {}
        self.days = defaultdict(Counter)

    def make(self):
        for customer_id, created_at in self.customers:
            if self.counts[customer_id]:
                self.customer_sales(customer_id, created_at, self.counts[customer_id])
        return self

    def customer_sales(self, customer_id, created_at, count):
        rng = self.rng
        start = max(created_at, self.now - timedelta(days=DAYS))
        span = (self.now - start).total_seconds()
        moments = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(count))
        account_id, enrolled, balance = self.accounts.get(customer_id, (None, False, 0))
        stores = self.stores.get(customer_id) or list(self.tills)
        spent, earned_in_all, visited = Decimal(0), 0, set()
        for moment in moments:
            pk, store_id = next(self.sale_ids), rng.choice(stores)
            receipt = f"D{pk}"
            total = Decimal(rng.randint(*CENTS)).scaleb(-2)
            redeemed = (
                POINTS_REDEEMED
                if enrolled and balance >= POINTS_REDEEMED and rng.randrange(REDEEM_ONE_IN) == 0
                else 0
            )
            earned = self.rule.points_for(total, redeemed) if enrolled else 0
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
                {"id": pk, "register_id": self.tills[store_id].pk, "receipt_id": receipt,
                 "store_id": store_id, "customer_id": customer_id, "total": total,
                 "occurred_at": moment, "points_earned": earned, "points_redeemed": redeemed,
                 "fingerprint": "", "created_at": moment, "result": RESULT % balance}
            )  # fmt: skip
            day = moment.astimezone(self.zone).date()
            totals = self.days[store_id, day]
            totals["sales"] += 1
            totals["total"] += total
            totals["points_earned"] += earned
            totals["points_redeemed"] += redeemed
            if day not in visited:
                totals["visits"] += 1
                visited.add(day)
            if moment is moments[0]:
                totals["new_customers"] += 1
        self.visits[customer_id] = {
            "first_sale_at": moments[0], "last_sale_at": moments[-1], "sale_count": count,
            "total_spent": spent, "lifetime_points": earned_in_all,
        }  # fmt: skip


def write_batch(batch):
    batch.make()
    bulk.insert_rows(Sale, batch.sales)
    loyalty_post_in_bulk(batch.points, customers=batch.visits)
    bulk.add_to(
        StoreDay,
        [
            {"store_id": store_id, "day": day, "refunds": 0, "sales": totals["sales"],
             "visits": totals["visits"], "new_customers": totals["new_customers"],
             "total": totals["total"], "points_earned": totals["points_earned"],
             "points_redeemed": totals["points_redeemed"]}
            for (store_id, day), totals in batch.days.items()
        ],
        unique=["store", "day"],
    )  # fmt: skip
