"""Concurrent charges on PostgreSQL never go over a house account's period limit."""

from decimal import Decimal

import pytest
from django.db import connection

from house_accounts.models import HouseAccount
from house_accounts.services import HouseAccountError, house_account_charge
from tests.factories import OPS, make_house_account, make_store
from tests.loyalty.test_concurrency import ADJUSTMENTS_EACH, THREADS, at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are raced on PostgreSQL"
    ),
]


def test_twenty_threads_charging_at_once_stop_exactly_at_the_daily_limit():
    account = make_house_account(
        period_limit_enabled=True, limit_period="daily", limit_amount=Decimal("300.00")
    )
    store = make_store()
    refused = []

    def charge(_):
        for _ in range(ADJUSTMENTS_EACH):
            try:
                house_account_charge(account=account, amount=Decimal("2.50"), store=store,
                                     reference="", note="", actor=OPS)  # fmt: skip
            except HouseAccountError:
                refused.append(1)

    assert at_once(charge) == []
    assert HouseAccount.objects.get(pk=account.pk).balance == Decimal("300.00")
    assert account.entries.filter(kind="charge").count() == 120
    assert len(refused) == THREADS * ADJUSTMENTS_EACH - 120
