"""POST /api/v1/sales/: a till records a sale that earns and spends, exactly once, all or
nothing; a refund takes back what its sale earned and gives back what it spent."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from backoffice.models import AuditEvent
from customers.models import Customer
from house_accounts.models import HouseAccount
from loyalty.models import EarnRule, LoyaltyAccount, LoyaltyLedgerEntry
from memberships.models import MembershipAccount
from registers.services import register_create
from sales.models import Sale, StoreDay
from tests.factories import OPS, make_customer, make_house_account, make_membership, make_store

pytestmark = pytest.mark.django_db

SALES = reverse("api_sales")
# Yesterday at noon: a sale is taken up to SALE_MAX_AGE_DAYS old.
NOON = timezone.make_aware(
    datetime.datetime.combine(timezone.localdate() - datetime.timedelta(days=1), datetime.time(12))
)


@pytest.fixture
def boston():
    return make_store("Boston", code="BO01", country="US")


@pytest.fixture
def till(boston):
    """The Boston store's Front desk register, as an API client."""
    _, key = register_create(name="Front desk", store=boston, actor=OPS)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_REGISTER_DEVICE="till-1")
    return client


@pytest.fixture
def ada(boston):
    """A loyalty member with 120 points, a monthly house account limit of 100.00 and a
    membership allowance of 100.00."""
    customer = make_customer(
        first_name="Ada", last_name="Lovelace", stores=[boston], loyalty_balance=120
    )
    make_house_account(
        customer, account_number="HA-ADA", period_limit_enabled=True, limit_period="monthly",
        limit_amount="100.00",
    )  # fmt: skip
    make_membership(customer)
    return customer


def sale(customer, receipt="R1", total="25.75", **parts):
    return {"id": receipt, "customer": customer.pk, "total": total,
            "occurred_at": NOON.isoformat(), **parts}  # fmt: skip


def points_of(customer):
    return LoyaltyAccount.objects.get(customer=customer).balance


class TestASale:
    def test_earns_a_point_per_whole_unit_and_says_every_balance_after(self, till, ada):
        response = till.post(SALES, sale(ada, total="25.75"), format="json")

        assert response.status_code == 201
        assert response.json() == {
            "id": "R1", "customer": ada.pk, "total": "25.75", "points_earned": 25,
            "points_redeemed": 0, "points_value": "0.00", "house_account_amount": None,
            "membership_amount": None, "other_amount": "25.75", "loyalty_balance": 145,
            "house_account_balance": None, "membership_balance": "100.00",
        }  # fmt: skip
        assert points_of(ada) == 145

    def test_counts_the_customers_visit_and_the_stores_day(self, till, ada, boston):
        till.post(SALES, sale(ada, total="25.75"), format="json")
        till.post(SALES, sale(ada, receipt="R2", total="4.25"), format="json")

        ada.refresh_from_db()
        assert (ada.sale_count, ada.total_spent, ada.lifetime_points) == (2, Decimal("30.00"), 29)
        assert ada.first_sale_at == ada.last_sale_at == NOON
        day = StoreDay.objects.get(store=boston, day=timezone.localdate(NOON))
        assert (day.sales, day.visits, day.new_customers, day.total, day.points_earned) == (
            2, 1, 1, Decimal("30.00"), 29,
        )  # fmt: skip

    def test_redeems_points_and_charges_the_house_account_and_the_membership_at_once(
        self, till, ada
    ):
        response = till.post(
            SALES,
            sale(ada, total="60.00", points_redeemed=100, house_account="HA-ADA",
                 house_account_amount="30.00", membership_amount="20.00"),
            format="json",
        )  # fmt: skip

        assert response.status_code == 201
        answer = response.json()
        # 60.00 less the 1.00 paid with 100 points earns 59 points.
        assert (answer["points_redeemed"], answer["points_earned"]) == (100, 59)
        assert answer["loyalty_balance"] == 120 - 100 + 59
        assert answer["house_account_balance"] == "30.00"
        assert answer["membership_balance"] == "80.00"
        assert HouseAccount.objects.get().balance == Decimal("30.00")
        assert MembershipAccount.objects.get().balance == Decimal("80.00")

    def test_the_earn_rule_is_the_managers(self, till, ada):
        EarnRule.objects.create(points_per_unit=2, point_value=Decimal("0.01"))

        answer = till.post(SALES, sale(ada, total="10.00", points_redeemed=100), format="json")

        assert answer.json()["points_earned"] == 18  # 9 whole units paid in money, 2 each

    def test_a_customer_outside_the_programme_earns_nothing(self, till, boston):
        bob = make_customer(first_name="Bob", stores=[boston])

        answer = till.post(SALES, sale(bob, total="50.00"), format="json").json()

        assert (answer["points_earned"], answer["loyalty_balance"]) == (0, 0)

    def test_is_an_audit_event_whose_actor_is_the_register(self, till, ada):
        till.post(SALES, sale(ada), format="json")

        events = AuditEvent.objects.filter(user_name="Register Front desk (BO01)").exclude(
            summary__startswith="Held by the device"  # its first request, before the sale
        )
        assert sorted(event.summary for event in events) == [
            "+25 points (Purchase: receipt R1)", "Sale R1 of USD 25.75 at Boston",
        ]  # fmt: skip
        assert all(event.user is None for event in events)


class TestExactlyOnce:
    def test_the_same_receipt_sent_again_answers_the_first_result_and_changes_nothing(
        self, till, ada
    ):
        first = till.post(SALES, sale(ada), format="json")
        entries = LoyaltyLedgerEntry.objects.count()

        again = till.post(SALES, sale(ada), format="json")

        assert again.status_code == 200 and again.json() == first.json()
        assert (Sale.objects.count(), LoyaltyLedgerEntry.objects.count()) == (1, entries)
        assert Customer.objects.get(pk=ada.pk).sale_count == 1

    def test_the_same_receipt_with_another_body_is_a_conflict(self, till, ada):
        till.post(SALES, sale(ada, total="25.75"), format="json")

        response = till.post(SALES, sale(ada, total="99.00"), format="json")

        assert response.status_code == 409
        assert "recorded with other values" in response.json()["id"][0]
        assert Sale.objects.get().total == Decimal("25.75")

    def test_another_register_may_use_the_same_receipt_id(self, till, ada, boston):
        _, key = register_create(name="Back counter", store=boston, actor=OPS)
        other = APIClient()
        other.credentials(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_REGISTER_DEVICE="till-2")
        till.post(SALES, sale(ada), format="json")

        assert other.post(SALES, sale(ada), format="json").status_code == 201


class TestAllOrNothing:
    def test_a_charge_over_the_house_accounts_limit_writes_nothing(self, till, ada):
        response = till.post(
            SALES,
            sale(ada, total="151.00", points_redeemed=100, house_account="HA-ADA",
                 house_account_amount="150.00"),
            format="json",
        )  # fmt: skip

        assert response.status_code == 400
        assert "monthly limit" in response.json()["house_account_amount"][0]
        assert points_of(ada) == 120  # the redemption before it was not written either
        assert not Sale.objects.exists() and not StoreDay.objects.exists()
        assert Customer.objects.get(pk=ada.pk).sale_count == 0

    def test_more_points_than_the_customer_has_is_refused_by_name(self, till, ada):
        response = till.post(SALES, sale(ada, points_redeemed=500), format="json")

        assert response.status_code == 400
        assert "below zero" in response.json()["points_redeemed"][0]

    def test_a_membership_charge_beyond_the_allowance_is_refused_by_name(self, till, ada):
        response = till.post(
            SALES, sale(ada, total="500.00", membership_amount="500.00"), format="json"
        )

        assert response.status_code == 400
        assert "more than the allowance left" in response.json()["membership_amount"][0]

    def test_another_customers_house_account_is_refused(self, till, ada, boston):
        bob = make_customer(first_name="Bob", stores=[boston])

        response = till.post(
            SALES, sale(bob, house_account="HA-ADA", house_account_amount="5.00"), format="json"
        )

        assert response.json() == {
            "house_account": ["The customer has no house account HA-ADA."],
            "codes": {"house_account": ["refused"]},
        }


class TestRefunds:
    @pytest.fixture
    def bought(self, till, ada):
        """A 40.00 sale that earned 39 points and redeemed 100 (1.00 of it)."""
        answer = till.post(SALES, sale(ada, "R1", "40.00", points_redeemed=100), format="json")
        assert answer.json()["points_earned"] == 39
        return answer

    def test_a_partial_refund_takes_back_and_gives_back_points_in_proportion(
        self, till, ada, bought
    ):
        answer = till.post(SALES, sale(ada, "R2", "-10.00", refund_for="R1"), format="json")

        assert answer.status_code == 201
        # A quarter of the sale: 9 of its 39 points back (rounded down), 25 of its 100 given.
        assert (answer.json()["points_earned"], answer.json()["points_redeemed"]) == (-9, -25)
        assert points_of(ada) == 120 - 100 + 39 - 9 + 25

    def test_the_refund_that_completes_a_return_takes_what_is_left(self, till, ada, bought):
        till.post(SALES, sale(ada, "R2", "-10.00", refund_for="R1"), format="json")

        answer = till.post(SALES, sale(ada, "R3", "-30.00", refund_for="R1"), format="json")

        assert (answer.json()["points_earned"], answer.json()["points_redeemed"]) == (-30, -75)
        assert points_of(ada) == 120  # every point the sale moved is back where it was
        ada.refresh_from_db()
        assert (ada.total_spent, ada.lifetime_points, ada.sale_count) == (Decimal("0.00"), 0, 1)

    def test_more_than_is_left_to_refund_is_refused(self, till, ada, bought):
        answer = till.post(SALES, sale(ada, "R2", "-40.01", refund_for="R1"), format="json")

        assert answer.status_code == 400
        assert "At most USD 40.00 of the receipt R1 is left to refund" in answer.json()["total"][0]

    def test_another_customers_receipt_is_refused(self, till, ada, bought, boston):
        bob = make_customer(first_name="Bob", stores=[boston])

        answer = till.post(SALES, sale(bob, "R2", "-1.00", refund_for="R1"), format="json")

        assert answer.json()["refund_for"] == ["The receipt R1 is another customer's sale."]


class TestBadInput:
    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"total": "-5.00"}, "total", "A sale's total is not negative"),
            ({"customer": "\u0661"}, "customer", "A customer's id is a whole number."),
            ({"total": "abc"}, "total", "A valid number is required."),
            ({"house_account": "HA-ADA"}, "house_account_amount", "Give house_account and"),
            ({"points_redeemed": -1}, "points_redeemed", "greater than or equal to 0"),
        ],
    )
    def test_each_field_gets_its_message(self, till, ada, changes, field, message):
        response = till.post(SALES, {**sale(ada), **changes}, format="json")

        assert response.status_code == 400
        assert message in response.json()[field][0]

    def test_a_body_that_is_not_json_is_a_400(self, till):
        response = till.post(SALES, "{not json", content_type="application/json")

        assert response.status_code == 400
