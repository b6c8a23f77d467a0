"""Concurrent charges on PostgreSQL never spend more than the allowance."""

from decimal import Decimal

import pytest
from django.db import connection

from memberships.models import MembershipAccount, MembershipEntry
from memberships.services import MembershipError, membership_charge
from tests.factories import OPS, make_membership, make_plan, make_store
from tests.loyalty.test_concurrency import ADJUSTMENTS_EACH, THREADS, at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are raced on PostgreSQL"
    ),
]


def test_twenty_threads_charging_500_times_spend_exactly_the_allowance_of_300():
    account = make_membership(plan=make_plan(allowance="300.00"))
    store = make_store()
    refused = []

    def charge(_):
        for _ in range(ADJUSTMENTS_EACH):
            try:
                membership_charge(account=account, amount=Decimal("1.00"), store=store, note="",
                                  actor=OPS)  # fmt: skip
            except MembershipError:
                refused.append(1)

    assert at_once(charge) == []
    charges = MembershipEntry.objects.filter(account=account, kind="charge")
    assert charges.count() == 300
    assert len(refused) == THREADS * ADJUSTMENTS_EACH - 300
    assert MembershipAccount.objects.get(pk=account.pk).balance == Decimal("0.00")
    assert min(charges.values_list("balance_after", flat=True)) == Decimal("0.00")
