"""A sale is its tender parts: points, house account, membership and cash or card add up to
its total, and a refund gives back at most what is left of each part of its sale."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from house_accounts.models import HouseAccount
from loyalty.models import LoyaltyAccount
from memberships.models import MembershipAccount
from registers.services import register_create
from sales.models import Sale
from tests.factories import OPS, make_customer, make_house_account, make_membership, make_store
from tests.tills import till_client

pytestmark = pytest.mark.django_db

SALES = reverse("api_sales")


@pytest.fixture
def till():
    boston = make_store("Boston", code="BO01", country="US")
    _, key = register_create(name="Front desk", store=boston, actor=OPS)
    client = till_client(key)
    client.store = boston
    return client


@pytest.fixture
def ada(till):
    """500 points (worth 5.00), a house account and a membership allowance of 100.00."""
    ada = make_customer(first_name="Ada", stores=[till.store], loyalty_balance=500)
    make_house_account(ada, account_number="HA-ADA")
    make_membership(ada)
    return ada


def post(till, customer, receipt, total, **parts):
    sale = {"id": receipt, "customer": customer.pk, "total": total,
            "occurred_at": timezone.now().isoformat(), **parts}  # fmt: skip
    return till.post(SALES, sale, format="json")


def refund(till, customer, receipt, of, total, **parts):
    return post(till, customer, receipt, total, refund_for=of, **parts)


def owed(number="HA-ADA"):
    return HouseAccount.objects.get(account_number=number).balance


def allowance_left(customer):
    return MembershipAccount.objects.get(customer=customer).balance


def points(customer):
    return LoyaltyAccount.objects.get(customer=customer).balance


class TestASalesPartsAddUpToItsTotal:
    def test_what_the_other_parts_leave_is_cash_or_card(self, till, ada):
        response = post(
            till, ada, "R1", "24.90", points_redeemed=100, house_account="HA-ADA",
            house_account_amount="10.00",
        )  # fmt: skip

        assert response.status_code == 201
        answer = response.json()
        assert (answer["points_value"], answer["house_account_amount"], answer["other_amount"]) == (
            "1.00", "10.00", "13.90",
        )  # fmt: skip

    @pytest.mark.parametrize("total", ["10.00", "0.00"])
    def test_parts_beyond_the_total_are_refused_and_nothing_is_written(self, till, ada, total):
        response = post(
            till, ada, "R1", total, house_account="HA-ADA", house_account_amount="25.00"
        )

        assert response.status_code == 400
        assert "more than the sale's total" in response.json()["total"][0]
        assert owed() == Decimal("0.00")
        assert not Sale.objects.exists()

    def test_points_worth_more_than_the_total_are_refused(self, till, ada):
        response = post(till, ada, "R1", "4.00", points_redeemed=500)

        assert response.status_code == 400
        assert points(ada) == 500

    @pytest.mark.parametrize("amount", ["-5.00", "٥.00", "1_000", "1e2", "5.001", True])
    def test_a_part_is_a_positive_amount_in_ascii_digits(self, till, ada, amount):
        response = post(
            till, ada, "R1", "20.00", house_account="HA-ADA", house_account_amount=amount
        )

        assert response.status_code == 400
        assert "house_account_amount" in response.json()
        assert owed() == Decimal("0.00")


class TestARefundGivesBackWhatIsLeftOfEachPart:
    @pytest.fixture
    def paid_in_parts(self, till, ada):
        """R1: 20.00 = 100 points (1.00) + 10.00 house account + 5.00 membership + 4.00 cash."""
        response = post(
            till, ada, "R1", "20.00", points_redeemed=100, house_account="HA-ADA",
            house_account_amount="10.00", membership_amount="5.00",
        )  # fmt: skip
        assert response.status_code == 201
        return response.json()

    def test_a_refund_of_half_gives_back_half_of_every_part(self, till, ada, paid_in_parts):
        response = refund(till, ada, "R2", "R1", "-10.00")

        assert response.status_code == 201
        answer = response.json()
        assert (answer["points_value"], answer["house_account_amount"],
                answer["membership_amount"], answer["other_amount"]) == (
            "-0.50", "-5.00", "-2.50", "-2.00",
        )  # fmt: skip
        assert owed() == Decimal("5.00")
        assert allowance_left(ada) == Decimal("97.50")

    def test_a_full_refund_gives_back_every_part(self, till, ada, paid_in_parts):
        assert points(ada) == 500 - 100 + 19  # 19.00 of it not paid in points earned 19

        assert refund(till, ada, "R2", "R1", "-20.00").status_code == 201

        assert owed() == Decimal("0.00")
        assert allowance_left(ada) == Decimal("100.00")
        assert points(ada) == 500

    def test_refunds_in_thirds_give_back_each_part_to_the_cent(self, till, ada):
        post(till, ada, "R1", "10.00", house_account="HA-ADA", house_account_amount="3.33")

        for number, total in enumerate(["-3.33", "-3.33", "-3.34"], start=2):
            assert refund(till, ada, f"R{number}", "R1", total).status_code == 201

        assert owed() == Decimal("0.00")
        given_back = [sale.house_account_amount for sale in Sale.objects.exclude(refund_for=None)]
        assert sum(given_back) == Decimal("-3.33")

    def test_a_part_named_is_given_back_alone(self, till, ada, paid_in_parts):
        response = refund(till, ada, "R2", "R1", "-6.00", house_account_amount="6.00")

        assert response.status_code == 201
        assert response.json()["membership_amount"] is None
        assert response.json()["points_value"] == "0.00"
        assert owed() == Decimal("4.00")
        assert allowance_left(ada) == Decimal("95.00")

    def test_no_more_of_a_part_than_is_left_of_it(self, till, ada, paid_in_parts):
        refund(till, ada, "R2", "R1", "-8.00", house_account_amount="8.00")

        response = refund(till, ada, "R3", "R1", "-3.00", house_account_amount="3.00")

        assert response.status_code == 400
        assert "At most USD 2.00" in response.json()["house_account_amount"][0]
        assert owed() == Decimal("2.00")

    def test_a_sale_without_a_house_account_part_gives_none_back(self, till, ada):
        post(till, ada, "R1", "10.00")

        response = refund(till, ada, "R2", "R1", "-1.00", house_account_amount="50.00")

        assert response.status_code == 400
        assert owed() == Decimal("0.00")

    def test_a_sale_is_refunded_twenty_times_at_most(self, till, ada):
        post(till, ada, "R1", "21.00")
        for number in range(20):
            assert refund(till, ada, f"X{number}", "R1", "-1.00").status_code == 201

        response = refund(till, ada, "X20", "R1", "-1.00")

        assert response.status_code == 400
        assert "20 refunds" in response.json()["refund_for"][0]


class TestBounds:
    @pytest.mark.parametrize("total", ["100000.01", "9999999999.99"])
    def test_a_total_beyond_the_sale_maximum_is_a_400(self, till, ada, total):
        response = post(till, ada, "R1", total)

        assert response.status_code == 400
        assert "at most USD 100,000.00" in response.json()["total"][0]

    @pytest.mark.parametrize(
        "moved", [datetime.timedelta(minutes=11), -datetime.timedelta(days=91)]
    )
    def test_a_sale_far_in_the_future_or_past_is_refused(self, till, ada, moved):
        sale = {"id": "R1", "customer": ada.pk, "total": "5.00",
                "occurred_at": (timezone.now() + moved).isoformat()}  # fmt: skip

        response = till.post(SALES, sale, format="json")

        assert response.status_code == 400
        assert "occurred_at" in response.json()
        assert ada.__class__.objects.get(pk=ada.pk).last_sale_at is None


class TestCashAndCardIsAPartToo:
    def test_a_refund_naming_a_part_gives_back_no_cash_the_sale_never_took(self, till, ada):
        post(till, ada, "R1", "10.00", house_account="HA-ADA", house_account_amount="10.00")

        response = refund(till, ada, "R2", "R1", "-10.00", house_account_amount="0.01")

        assert response.status_code == 400
        assert (
            "At most USD 0.00 of the receipt R1 is left to give back in cash or card"
            in (response.json()["total"][0])
        )
        assert owed() == Decimal("10.00")

    def test_tiny_refunds_round_to_the_cent_and_the_last_still_completes(self, till, ada):
        """3.00 = 100 points (1.00) + 1.00 house account + 1.00 membership, no cash."""
        post(till, ada, "R1", "3.00", points_redeemed=100, house_account="HA-ADA",
             house_account_amount="1.00", membership_amount="1.00")  # fmt: skip
        for number in range(19):
            assert refund(till, ada, f"X{number}", "R1", "-0.01").status_code == 201

        assert refund(till, ada, "X19", "R1", "-2.81").status_code == 201

        refunds = Sale.objects.exclude(refund_for=None)
        assert sum(sale.other_amount for sale in refunds) == 0  # no cash was ever taken
        assert owed() == Decimal("0.00")
        assert allowance_left(ada) == Decimal("100.00")
        assert points(ada) == 500

    def test_a_cent_of_a_sale_in_two_parts_is_given_back_to_one(self, till, ada):
        post(till, ada, "R1", "2.00", house_account="HA-ADA", house_account_amount="1.00",
             membership_amount="1.00")  # fmt: skip

        response = refund(till, ada, "R2", "R1", "-0.01")

        assert response.status_code == 201
        answer = response.json()
        assert (answer["house_account_amount"], answer["membership_amount"]) in [
            ("-0.01", None), (None, "-0.01"),
        ]  # fmt: skip
