"""A register acts for its own store, as its store's staff do: it reads, changes and sells
to its store's customers; another store's customer it finds only by an exact key, sees by
name, email and phone, and adds to its store before anything else."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from backoffice.models import AuditEvent
from customers.models import Customer
from customers.services import customer_add_to_store, customer_save
from house_accounts.models import HouseAccount
from loyalty.models import LoyaltyAccount, LoyaltyLedgerEntry
from registers.services import register_create
from sales.models import Sale
from sales.services import record_sale
from stores.actors import OutOfScope
from tests.factories import OPS, make_customer, make_house_account, make_store

pytestmark = pytest.mark.django_db

SEARCH = reverse("api_customers")
SALES = reverse("api_sales")


def customer_url(customer):
    return reverse("api_customer", args=[customer.pk])


def add_to_store_url(customer):
    return reverse("api_customer_add_to_store", args=[customer.pk])


@pytest.fixture
def boston():
    return make_store("Boston", code="BO01", country="US")


@pytest.fixture
def denver():
    return make_store("Denver", code="DE01", country="US")


@pytest.fixture
def boston_till(boston):
    register, key = register_create(name="Front desk", store=boston, actor=OPS)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_REGISTER_DEVICE="till-1")
    client.register = register
    return client


@pytest.fixture
def dora(denver):
    """A Denver customer with a house account: never seen in Boston."""
    dora = make_customer(
        first_name="Dora", last_name="Denver", email="dora@example.com", phone="+13035550199",
        stores=[denver], loyalty_balance=50, id_number="D-4455",
    )  # fmt: skip
    make_house_account(dora, account_number="HA-DORA")
    return dora


@pytest.fixture
def bea(boston, denver):
    """A customer of both stores."""
    return make_customer(
        first_name="Bea", last_name="Both", email="bea@example.com", stores=[boston, denver]
    )


def sale(customer, receipt="R-1", total="10.00", **parts):
    return {"id": receipt, "customer": customer.pk, "total": total,
            "occurred_at": timezone.now().isoformat(), **parts}  # fmt: skip


class TestAnotherStoresCustomerIsNotTheRegisters:
    def test_reading_them_by_id_is_a_404_as_if_they_did_not_exist(self, boston_till, dora):
        response = boston_till.get(customer_url(dora))

        assert response.status_code == 404
        assert "Dora" not in response.content.decode()

    def test_changing_them_is_a_404_and_changes_nothing(self, boston_till, dora, denver):
        response = boston_till.patch(
            customer_url(dora),
            {"version": dora.version, "first_name": "Mallory", "stores": ["BO01"]},
            format="json",
        )

        assert response.status_code == 404
        dora.refresh_from_db()
        assert dora.first_name == "Dora"
        assert list(dora.stores.all()) == [denver]

    def test_a_sale_to_them_is_refused_and_writes_nothing(self, boston_till, dora):
        response = boston_till.post(
            SALES, sale(dora, house_account="HA-DORA", house_account_amount="10.00"),
            format="json",
        )  # fmt: skip

        assert response.status_code == 404
        assert not Sale.objects.exists()
        assert HouseAccount.objects.get(account_number="HA-DORA").balance == Decimal("0.00")
        assert LoyaltyAccount.objects.get(customer=dora).balance == 50
        assert not LoyaltyLedgerEntry.objects.filter(reason="purchase").exists()

    def test_a_search_by_their_name_does_not_find_them(self, boston_till, dora):
        assert boston_till.get(SEARCH, {"q": "Dora"}).json()["results"] == []

    @pytest.mark.parametrize("key", ["dora@example.com", "+13035550199", "D-4455"])
    def test_an_exact_key_finds_them_by_name_email_and_phone_only(self, boston_till, dora, key):
        (found,) = boston_till.get(SEARCH, {"q": key}).json()["results"]

        assert found == {
            "id": dora.pk, "first_name": "Dora", "last_name": "Denver",
            "email": "dora@example.com", "phone": "+13035550199", "in_store": False,
        }  # fmt: skip


class TestAddingThemToTheRegistersStore:
    def test_the_key_they_were_found_by_adds_them_and_answers_the_whole_customer(
        self, boston_till, dora
    ):
        response = boston_till.post(
            add_to_store_url(dora), {"key": "dora@example.com"}, format="json"
        )

        assert response.status_code == 200
        assert response.json()["stores"] == ["BO01", "DE01"]
        assert response.json()["house_accounts"][0]["number"] == "HA-DORA"
        event = AuditEvent.objects.filter(object_id=dora.pk, summary__startswith="Added").get()
        assert event.user_name == "Register Front desk (BO01)"
        assert "Boston" in event.summary
        assert boston_till.get(customer_url(dora)).status_code == 200

    @pytest.mark.parametrize("key", ["", "bea@example.com", "dora@example", "Dora Denver"])
    def test_a_key_that_does_not_name_them_is_a_404_and_adds_nothing(
        self, boston_till, dora, bea, denver, key
    ):
        response = boston_till.post(add_to_store_url(dora), {"key": key}, format="json")

        assert response.status_code in (400, 404)  # a blank key is not a key at all
        assert list(dora.stores.all()) == [denver]

    def test_then_a_sale_is_recorded(self, boston_till, dora):
        boston_till.post(add_to_store_url(dora), {"key": "D-4455"}, format="json")

        response = boston_till.post(SALES, sale(dora), format="json")

        assert response.status_code == 201


class TestARegisterNeverRemovesAStore:
    def test_naming_other_stores_adds_them_to_those_the_customer_has(
        self, boston_till, bea, boston, denver
    ):
        other = make_store("Chicago", code="CH01")

        response = boston_till.patch(
            customer_url(bea), {"version": bea.version, "stores": ["CH01"]}, format="json"
        )

        assert response.status_code == 200
        assert response.json()["stores"] == ["BO01", "CH01", "DE01"]
        assert set(bea.stores.all()) == {boston, denver, other}

    def test_a_change_without_stores_keeps_them(self, boston_till, bea):
        boston_till.patch(
            customer_url(bea), {"version": bea.version, "city": "Salem"}, format="json"
        )

        assert sorted(bea.stores.values_list("code", flat=True)) == ["BO01", "DE01"]


class TestTheRulesAreTheServicesOwn:
    """The same rules, called as any other door would: the services refuse the register."""

    def test_saving_another_stores_customer_is_refused(self, boston_till, dora, denver):
        dora.first_name = "Mallory"

        with pytest.raises(OutOfScope):
            customer_save(customer=dora, stores=[denver], actor=boston_till.register)

        assert Customer.objects.get(pk=dora.pk).first_name == "Dora"

    def test_adding_them_without_their_key_is_refused(self, boston_till, dora, boston):
        with pytest.raises(OutOfScope):
            customer_add_to_store(
                customer=dora, store=boston, actor=boston_till.register, key="bea@example.com"
            )

    def test_adding_to_a_store_the_register_is_not_in_is_refused(self, boston_till, bea, denver):
        outside = make_customer(email="out@example.com", stores=[make_store("Austin")])

        with pytest.raises(OutOfScope):
            customer_add_to_store(
                customer=outside, store=denver, actor=boston_till.register, key="out@example.com"
            )

    def test_recording_their_sale_is_refused(self, boston_till, dora):
        values = {"id": "R-9", "customer": dora, "total": Decimal("5.00"),
                  "occurred_at": timezone.now(), "points_redeemed": 0}  # fmt: skip

        with pytest.raises(OutOfScope):
            record_sale(register=boston_till.register, sale=values, fingerprint="x")

        assert not Sale.objects.exists()


def test_an_id_number_that_is_also_digits_of_other_customers_finds_its_customer_alone(
    boston_till, dora
):
    """An exact key names its customers alone: searched in the whole chain, the digits of
    an ID number the register made up would find every customer holding them (Dora's
    phone ends in 0199)."""
    created = boston_till.post(
        SEARCH, {"first_name": "Zed", "last_name": "Zero", "email": "zed@example.com",
                 "id_number": "0199"}, format="json",
    )  # fmt: skip
    assert created.status_code == 201

    found = boston_till.get(SEARCH, {"q": "0199"}).json()["results"]

    assert [customer["first_name"] for customer in found] == ["Zed"]


@pytest.mark.parametrize("customer", [999999, "dora"])
def test_a_sale_to_a_customer_that_does_not_exist_is_the_same_404(boston_till, dora, customer):
    """The register cannot tell another store's customer from one that does not exist."""
    values = sale(dora)
    values["customer"] = dora.pk if customer == "dora" else customer

    response = boston_till.post(SALES, values, format="json")

    assert response.status_code == 404
    assert (
        response.json()["detail"] == f"No customer of this store has the id {values['customer']}."
    )
