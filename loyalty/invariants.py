"""What must always hold of the loyalty accounts, checked in bounded memory.

Each account's balance is the sum of its ledger deltas, its version the number of its
entries, and its customer's copy of the balance (which the customer list sorts by) the
balance while enrolled, else empty. ``manage.py check_loyalty`` runs these checks.
"""

from dataclasses import dataclass

from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import Coalesce
from tqdm import tqdm

from .models import LoyaltyAccount

# Accounts checked per query: the database sums their entries in one GROUP BY.
CHUNK_SIZE = 50_000


@dataclass(frozen=True)
class Difference:
    account_id: int
    customer_id: int
    balance: int
    entries_total: int
    entries: int
    version: int
    listed_points: int | None

    def __str__(self):
        problems = []
        if self.balance != self.entries_total:
            problems.append(f"balance {self.balance}, its entries sum to {self.entries_total}")
        if self.version != self.entries:
            problems.append(f"version {self.version} after {self.entries} entries")
        if not problems:
            problems.append(f"the customer list shows {self.listed_points} points")
        return f"account {self.account_id} (customer {self.customer_id}): {'; '.join(problems)}"


def differences(*, limit, progress=False):
    """(accounts checked, the first ``limit`` accounts breaking an invariant)."""
    bounds = LoyaltyAccount.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return 0, []
    starts = range(bounds["low"], bounds["high"] + 1, CHUNK_SIZE)
    found, checked = [], 0
    for start in tqdm(starts, unit="chunk", disable=not progress, desc="Loyalty accounts"):
        accounts = LoyaltyAccount.objects.filter(pk__gte=start, pk__lt=start + CHUNK_SIZE)
        checked += accounts.count()
        found += broken(accounts, limit - len(found))
        if len(found) >= limit:
            break
    return checked, found


def broken(accounts, limit):
    """The first ``limit`` of ``accounts`` that break an invariant, as ``Difference``s."""
    unbalanced = (
        accounts.order_by()
        .annotate(entries_total=Coalesce(Sum("entries__delta"), 0), entry_count=Count("entries"))
        .filter(~Q(balance=F("entries_total")) | ~Q(version=F("entry_count")))
        .values_list("pk", flat=True)
    )
    listed_wrong = (
        accounts.order_by()
        .filter(
            Q(enrolled=True, customer__loyalty_points__isnull=True)
            | (Q(enrolled=True) & ~Q(customer__loyalty_points=F("balance")))
            | Q(enrolled=False, customer__loyalty_points__isnull=False)
        )
        .values_list("pk", flat=True)
    )
    ids = sorted({*unbalanced[:limit], *listed_wrong[:limit]})[:limit]
    if not ids:
        return []
    found = LoyaltyAccount.objects.filter(pk__in=ids).annotate(
        entries_total=Coalesce(Sum("entries__delta"), 0),
        entry_count=Count("entries"),
        listed_points=F("customer__loyalty_points"),
    )
    return [
        Difference(
            account_id=account.pk,
            customer_id=account.customer_id,
            balance=account.balance,
            entries_total=account.entries_total,
            entries=account.entry_count,
            version=account.version,
            listed_points=account.listed_points,
        )
        for account in found.order_by("pk")
    ]
