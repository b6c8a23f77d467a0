"""Concurrent adjustments on PostgreSQL: the account's row lock makes them apply one after
the other, so none is lost and none takes the balance below zero. (SQLite lets one writer
in at a time, so there is nothing to race there.)"""

import random
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from loyalty.models import LoyaltyAccount, LoyaltyLedgerEntry
from loyalty.services import BalanceTooLow, loyalty_adjust
from tests.factories import OPS, make_customer

THREADS = 20
ADJUSTMENTS_EACH = 25

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are raced on PostgreSQL"
    ),
]


def at_once(work, threads=THREADS):
    """Run ``work(thread_number)`` in ``threads`` threads started together; the errors."""
    start = threading.Barrier(threads)
    errors = []

    def thread(number):
        try:
            start.wait()
            work(number)
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    started = [threading.Thread(target=thread, args=(n,)) for n in range(threads)]
    for each in started:
        each.start()
    for each in started:
        each.join()
    return errors


def entries_after(account, first_pk):
    return LoyaltyLedgerEntry.objects.filter(account=account, pk__gt=first_pk).order_by("pk")


def test_twenty_threads_adding_one_point_25_times_add_exactly_500():
    account = make_customer(loyalty_balance=10).loyalty_account
    last_pk = LoyaltyLedgerEntry.objects.latest("pk").pk

    def add_points(_):
        for _ in range(ADJUSTMENTS_EACH):
            loyalty_adjust(account=account, delta=1, reason="purchase", note="", actor=OPS)

    assert at_once(add_points) == []
    assert LoyaltyAccount.objects.get(pk=account.pk).balance == 510
    written = entries_after(account, last_pk)
    assert written.count() == 500
    # Each entry saw the balance the one before it left: 11, 12, ... 510.
    assert sorted(written.values_list("balance_after", flat=True)) == list(range(11, 511))
    call_command("check_loyalty", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_a_mix_with_subtractions_never_takes_the_balance_below_zero():
    account = make_customer(loyalty_balance=30).loyalty_account
    last_pk = LoyaltyLedgerEntry.objects.latest("pk").pk
    refused = []

    def spend_and_earn(number):
        chooser = random.Random(number)
        for _ in range(ADJUSTMENTS_EACH):
            delta = chooser.choice([-7, -5, -3, 2])
            try:
                loyalty_adjust(account=account, delta=delta, reason="redemption" if delta < 0
                               else "purchase", note="", actor=OPS)  # fmt: skip
            except BalanceTooLow:
                refused.append(delta)

    assert at_once(spend_and_earn) == []
    written = entries_after(account, last_pk)
    balance = LoyaltyAccount.objects.get(pk=account.pk).balance
    assert refused, "the mix spends more than it earns, so some spending must be refused"
    assert written.count() + len(refused) == THREADS * ADJUSTMENTS_EACH
    assert min(written.values_list("balance_after", flat=True)) >= 0
    assert balance == 30 + sum(written.values_list("delta", flat=True)) >= 0
