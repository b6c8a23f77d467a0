"""The balance checks of every kind of account (loyalty points, memberships, house
accounts): each app registers a function proving its balances equal the sums of their
ledger entries, and ``manage.py check_balances`` runs them all."""

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce, Round

from .money import ZERO, cents

checks = {}  # kind of account -> function(limit) -> (accounts checked, [differences])


def register(kind, check):
    checks[kind] = check


def ledger_differences(model, limit):
    """The check of accounts of ``model`` with a money ``balance`` and ``entries`` with an
    ``amount``: (accounts checked, the first ``limit`` whose balance is not the sum of
    their entries, described). For thousands of accounts: one GROUP BY."""
    # Rounded to the cent: SQLite adds decimals as floating point (nine entries of 4.90
    # sum to 44.099999…), PostgreSQL exactly.
    summed = model.objects.order_by("pk").annotate(
        entries_total=Round(Coalesce(Sum("entries__amount"), ZERO), 2)
    )
    wrong = summed.filter(~Q(balance=F("entries_total")))[:limit]
    return model.objects.count(), [
        f"{account} (id {account.pk}): balance {account.balance}, its entries sum to "
        f"{cents(account.entries_total)}"
        for account in wrong
    ]
