"""A till asks "did my sale land?": by its receipt id, or in the list of a customer's
sales at its store, newest first, a page at a time. Another store's sales are not its."""

import pytest
from django.urls import reverse
from django.utils import timezone

from registers.services import register_create
from tests.factories import OPS, make_customer, make_store
from tests.tills import till_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def boston():
    return make_store("Boston", code="BO01", country="US")


@pytest.fixture
def front_desk(boston):
    return till_client(register_create(name="Front desk", store=boston, actor=OPS)[1])


@pytest.fixture
def back_counter(boston):
    return till_client(register_create(name="Back counter", store=boston, actor=OPS)[1])


@pytest.fixture
def denver_till():
    denver = make_store("Denver", code="DE01", country="US")
    return till_client(register_create(name="Front desk", store=denver, actor=OPS)[1])


@pytest.fixture
def ada(boston):
    return make_customer(first_name="Ada", stores=[boston])


def sell(till, customer, receipt, total="10.00", **more):
    sale = {"id": receipt, "customer": customer.pk, "total": total,
            "occurred_at": timezone.now().isoformat(), **more}  # fmt: skip
    response = till.post(reverse("api_sales"), sale, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def sale_url(receipt):
    return reverse("api_sale", args=[receipt])


class TestByReceipt:
    def test_the_registers_own_sale_is_answered_as_recorded(self, front_desk, ada):
        recorded = sell(front_desk, ada, "R-1")

        response = front_desk.get(sale_url("R-1"))

        assert response.status_code == 200
        found = response.json()
        assert {name: found[name] for name in recorded} == recorded
        assert (found["store"], found["register"], found["refund_for"]) == (
            "BO01", "Front desk", None,
        )  # fmt: skip

    def test_another_register_of_the_store_finds_it(self, front_desk, back_counter, ada):
        sell(front_desk, ada, "R-1")
        sell(front_desk, ada, "R-2", total="-4.00", refund_for="R-1")

        response = back_counter.get(sale_url("R-2"))

        assert response.status_code == 200
        assert response.json()["refund_for"] == "R-1"

    def test_a_receipt_not_recorded_is_a_404(self, front_desk):
        response = front_desk.get(sale_url("R-404"))

        assert (response.status_code, response.json()["code"]) == (404, "not_found")

    def test_another_stores_sale_is_a_404(self, front_desk, denver_till, ada):
        sell(front_desk, ada, "R-1")

        assert denver_till.get(sale_url("R-1")).status_code == 404


class TestACustomersSales:
    def test_newest_first_a_page_at_a_time(self, front_desk, ada):
        for number in range(3):
            sell(front_desk, ada, f"R-{number}")
        url = reverse("api_customer_sales", args=[ada.pk])

        first = front_desk.get(url, {"page_size": 2}).json()
        second = front_desk.get(first["next"]).json()

        assert [sale["id"] for sale in first["results"]] == ["R-2", "R-1"]
        assert [sale["id"] for sale in second["results"]] == ["R-0"]

    def test_another_stores_customer_is_a_404(self, denver_till, ada):
        response = denver_till.get(reverse("api_customer_sales", args=[ada.pk]))

        assert response.status_code == 404
