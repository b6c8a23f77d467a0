"""check_balances proves every kind of account against its ledger."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from house_accounts.services import house_account_charge
from memberships.models import MembershipAccount
from tests.factories import OPS, make_customer, make_house_account, make_membership, make_store

pytestmark = pytest.mark.django_db


def test_passes_for_each_kind_when_balances_are_their_entries():
    make_customer(loyalty_balance=10)
    make_membership()
    make_house_account(opening_balance="4.00")
    out = StringIO()

    call_command("check_balances", stdout=out)

    assert out.getvalue().splitlines() == [
        "loyalty: 3 accounts, every balance equals its entries.",
        "memberships: 1 account, every balance equals its entries.",
        "house accounts: 1 account, every balance equals its entries.",
    ]


def test_fails_naming_an_account_changed_behind_its_ledgers_back():
    account = make_membership(card_number="TAMPER1")
    MembershipAccount.objects.filter(pk=account.pk).update(balance="1.00")  # a stray script
    errors = StringIO()

    with pytest.raises(CommandError, match="Balances differ from their ledgers: memberships"):
        call_command("check_balances", stdout=StringIO(), stderr=errors)

    assert errors.getvalue() == (
        f"memberships: Membership TAMPER1 (id {account.pk}): balance 1.00, its entries sum to "
        "100.00\n"
    )


def test_cents_that_add_up_pass_on_every_database():
    """SQLite sums decimals in floating point: nine charges of 4.90 came to 44.099999…,
    and an honest account was reported as differing from its ledger."""
    account, store = make_house_account(), make_store()
    for number in range(9):
        house_account_charge(
            account=account, amount=Decimal("4.90"), store=store, reference=f"R{number}",
            note="", actor=OPS,
        )  # fmt: skip
    out = StringIO()

    call_command("check_balances", stdout=out)

    assert "house accounts: 1 account, every balance equals its entries." in out.getvalue()
