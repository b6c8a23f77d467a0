import pytest

from loyalty.models import LoyaltyLedgerEntry
from loyalty.services import loyalty_update
from tests.factories import make_customer, make_user


@pytest.fixture
def customer(db):
    return make_customer()


def test_first_enrolment_with_points_opens_the_ledger(customer):
    user = make_user()

    account = loyalty_update(
        customer=customer, enrolled=True, balance=300, reason="Welcome", user=user
    )

    assert (account.enrolled, account.balance) == (True, 300)
    entry = LoyaltyLedgerEntry.objects.get()
    assert (entry.delta, entry.balance_after, entry.reason, entry.created_by) == (
        300,
        300,
        "Welcome",
        user,
    )


def test_every_change_is_a_ledger_row_with_its_delta(customer):
    for balance, reason in [(100, "Welcome"), (250, "Purchase"), (40, "Redeemed")]:
        loyalty_update(customer=customer, enrolled=True, balance=balance, reason=reason, user=None)

    deltas = list(LoyaltyLedgerEntry.objects.order_by("pk").values_list("delta", flat=True))
    assert deltas == [100, 150, -210]


def test_no_change_writes_no_row(customer):
    loyalty_update(customer=customer, enrolled=True, balance=0, reason="", user=None)

    assert not LoyaltyLedgerEntry.objects.exists()


def test_a_change_without_reason_is_refused(customer):
    with pytest.raises(ValueError):
        loyalty_update(customer=customer, enrolled=True, balance=10, reason="", user=None)

    assert customer.loyalty_account.balance == 0
