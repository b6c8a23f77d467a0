"""check_balances proves every kind of account against its ledger."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from memberships.models import MembershipAccount
from tests.factories import make_customer, make_house_account, make_membership

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
