"""Erasure and data requests are within the stores one holds, whatever the door: the
services refuse another store's customer themselves (``OutOfScope``, a 404 on a page), so
that the page, the commands and any door added later meet the same rule."""

import io

import pytest

from customers.models import Customer
from privacy.services import customer_data_request, customer_erase
from stores.actors import OutOfScope
from tests.factories import make_customer


@pytest.fixture
def riversides_customer(riverside):
    return make_customer(first_name="Rita", last_name="River", stores=[riverside])


def test_a_one_store_manager_cannot_erase_another_stores_customer(
    privacy_officer, riversides_customer
):
    with pytest.raises(OutOfScope):
        customer_erase(customer=riversides_customer, actor=privacy_officer)

    assert Customer.objects.get(pk=riversides_customer.pk).first_name == "Rita"


def test_nor_read_everything_held_on_them(privacy_officer, riversides_customer):
    out = io.BytesIO()

    with pytest.raises(OutOfScope):
        customer_data_request(customer=riversides_customer, actor=privacy_officer, out=out)

    assert out.getvalue() == b""


def test_a_customer_of_their_own_store_deleted_or_not_is_theirs_to_erase(
    privacy_officer, downtown, riverside
):
    shared = make_customer(stores=[downtown, riverside])
    Customer.objects.filter(pk=shared.pk).update(deleted_at="2026-01-01T00:00:00Z")

    erased = customer_erase(customer=shared, actor=privacy_officer)

    assert erased.erased_at is not None
