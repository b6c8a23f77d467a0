"""House accounts: charges within the limits, payments, credit, statements."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from house_accounts.models import HouseAccount, HouseAccountEntry
from house_accounts.services import (
    HouseAccountError,
    house_account_charge,
    house_account_post,
    statement,
)
from tests.factories import OPS, make_house_account

pytestmark = pytest.mark.django_db


def post(account, kind, amount, store=None, reference=""):
    return house_account_post(account=account, kind=kind, amount=Decimal(amount), store=store,
                              reference=reference, note="", actor=OPS)  # fmt: skip


def balance_of(account):
    return HouseAccount.objects.get(pk=account.pk).balance


@pytest.fixture
def weekly(downtown):
    """A weekly limit of 100.00 (weeks start on Monday) and at most 40.00 a charge."""
    return make_house_account(
        account_number="HA-1", period_limit_enabled=True, limit_period="weekly",
        limit_amount=Decimal("100.00"), week_starts_on=0, max_limit_enabled=True,
        max_amount=Decimal("40.00"),
    )  # fmt: skip


def test_the_opening_balance_is_an_entry(db):
    account = make_house_account(opening_balance="25.50")

    assert balance_of(account) == Decimal("25.50")
    assert list(account.entries.values_list("kind", "amount")) == [("opening", Decimal("25.50"))]


def test_a_charge_over_the_max_amount_is_refused(weekly, downtown):
    with pytest.raises(HouseAccountError, match="at most USD 40.00"):
        post(weekly, "charge", "40.01", downtown)

    assert balance_of(weekly) == Decimal("0.00")


def test_charges_over_the_period_limit_are_refused_with_what_is_left(weekly, downtown):
    for amount in ("40.00", "40.00"):
        post(weekly, "charge", amount, downtown)

    with pytest.raises(HouseAccountError, match=r"weekly limit of USD 100.00: USD 20.00 is left"):
        post(weekly, "charge", "20.01", downtown)
    post(weekly, "charge", "20.00", downtown)
    assert balance_of(weekly) == Decimal("100.00")


def test_a_payment_lowers_the_balance_but_the_period_limit_counts_charges(weekly, downtown):
    post(weekly, "charge", "40.00", downtown)
    post(weekly, "payment", "30.00", downtown, reference="R-17")
    post(weekly, "charge", "30.00", downtown)

    assert balance_of(weekly) == Decimal("40.00")
    with pytest.raises(HouseAccountError, match="USD 30.00 is left"):
        post(weekly, "charge", "30.01", downtown)


def test_without_credit_a_payment_cannot_take_the_balance_below_zero(db, downtown):
    account = make_house_account(opening_balance="10.00")

    with pytest.raises(HouseAccountError, match="more than is owed .USD 10.00."):
        post(account, "payment", "10.01", downtown)


def test_with_credit_a_refund_leaves_a_credit_that_later_charges_use_first(db, downtown):
    account = make_house_account(allow_credit=True)
    post(account, "refund", "15.00", downtown)

    assert balance_of(account) == Decimal("-15.00")
    house_account_charge(account=account, amount=Decimal("20.00"), store=downtown, reference="",
                         note="", actor=OPS)  # fmt: skip
    assert balance_of(account) == Decimal("5.00")


@pytest.mark.parametrize(
    ("period", "week_starts_on", "today", "start"),
    [
        ("daily", None, "2026-11-26", "2026-11-26"),
        ("weekly", 0, "2026-11-26", "2026-11-23"),  # a Thursday: the Monday before
        ("weekly", 3, "2026-11-26", "2026-11-26"),  # weeks starting on Thursday
        ("weekly", 4, "2026-11-26", "2026-11-20"),  # weeks starting on Friday
        ("monthly", None, "2026-11-26", "2026-11-01"),
    ],
)
def test_the_limit_period_starts_where_the_account_says(period, week_starts_on, today, start):
    account = HouseAccount(limit_period=period, week_starts_on=week_starts_on)

    assert account.period_start(datetime.date.fromisoformat(today)) == (
        datetime.date.fromisoformat(start)
    )


def test_a_statement_has_the_opening_balance_the_entries_and_the_closing_balance(db, downtown):
    account = make_house_account(opening_balance="50.00")
    post(account, "charge", "20.00", downtown)
    HouseAccountEntry.objects.filter(account=account).update(
        created_at=timezone.now() - datetime.timedelta(days=40)
    )
    post(account, "payment", "30.00", downtown)
    post(account, "charge", "5.00", downtown)
    today = timezone.localdate()

    opening, entries, closing = statement(account, today - datetime.timedelta(days=7), today)

    assert opening == Decimal("70.00")
    assert [(entry.kind, entry.amount) for entry in entries] == [
        ("payment", Decimal("-30.00")), ("charge", Decimal("5.00")),
    ]  # fmt: skip
    assert closing == Decimal("45.00") == balance_of(account)
