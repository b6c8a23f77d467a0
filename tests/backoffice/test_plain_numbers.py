"""Numbers are typed in the digits 0-9 (the attacker's second visit, finding 12): Python
reads "٣", "３", "١٢٣.٤٥", "1_000" and "1e2" as numbers, and each once became an amount
or a number of points. Every such field refuses them next to the field, keeping what
was typed."""

import pytest
from django.urls import reverse

from house_accounts.models import HouseAccountEntry
from loyalty.models import LoyaltyCardBatch, LoyaltyLedgerEntry
from memberships.models import MembershipEntry
from tests.factories import make_customer, make_house_account, make_membership
from tests.forms import field_errors

pytestmark = pytest.mark.django_db

AMOUNT = "Enter an amount in the digits 0-9, with a decimal point: e.g. 1250.50."
WHOLE_NUMBER = "Enter a whole number, in the digits 0-9."
ODD_AMOUNTS = ["٣", "３", "١٢٣.٤٥", "1_000", "1e2", "12.3.4"]
ODD_WHOLE_NUMBERS = ["٥", "١٠", "５", "1_000", "1e2"]


@pytest.fixture
def ada(downtown):
    return make_customer(first_name="Ada", stores=[downtown], loyalty_balance=100)


@pytest.mark.parametrize("typed", ODD_AMOUNTS)
def test_a_house_account_entry(clerk_client, ada, downtown, typed):
    account = make_house_account(ada)
    url = reverse("house_accounts:entry", args=[account.pk])

    response = clerk_client.post(
        url, {"kind": "charge", "amount": typed, "store": downtown.pk, "reference": "", "note": ""}
    )

    assert field_errors(response, "amount") == [AMOUNT]
    assert f'value="{typed}"' in response.content.decode()
    assert not HouseAccountEntry.objects.exists()


@pytest.mark.parametrize("typed", ODD_AMOUNTS)
def test_a_membership_charge(clerk_client, ada, downtown, typed):
    account = make_membership(ada)
    url = reverse("memberships:charge", args=[account.pk])

    response = clerk_client.post(
        url, {"kind": "charge", "amount": typed, "store": downtown.pk, "note": ""}
    )

    assert field_errors(response, "amount") == [AMOUNT]
    assert MembershipEntry.objects.count() == 1


@pytest.mark.parametrize("typed", ODD_WHOLE_NUMBERS)
def test_a_loyalty_adjustment(clerk_client, ada, typed):
    response = clerk_client.post(
        reverse("loyalty:adjust", args=[ada.pk]), {"delta": typed, "reason": "goodwill"}
    )

    assert field_errors(response, "delta") == [WHOLE_NUMBER]
    assert ada.loyalty_account.entries.exclude(delta=0).count() == 1  # the opening 100


@pytest.mark.parametrize("typed", ODD_WHOLE_NUMBERS)
def test_a_card_batch_size(manager_client, typed):
    response = manager_client.post(reverse("loyalty:batch_create"), {"size": typed})

    assert field_errors(response, "size") == [WHOLE_NUMBER]
    assert not LoyaltyCardBatch.objects.exists()


def test_plain_numbers_still_go_through(clerk_client, ada, downtown):
    account = make_house_account(ada)

    clerk_client.post(
        reverse("house_accounts:entry", args=[account.pk]),
        {"kind": "charge", "amount": " 12.50 ", "store": downtown.pk, "reference": "", "note": ""},
    )
    clerk_client.post(reverse("loyalty:adjust", args=[ada.pk]), {"delta": "-5", "reason": "return"})

    assert str(account.entries.latest("pk").amount) == "12.50"
    assert LoyaltyLedgerEntry.objects.latest("pk").delta == -5
