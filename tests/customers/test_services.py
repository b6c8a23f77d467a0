import pytest

from customers.models import Customer
from customers.services import ConcurrentEditError, customer_save, customers_delete
from tests.factories import OPS, make_customer


def save(customer, **overrides):
    arguments = {
        "customer": customer,
        "stores": customer.stores.all(),
        "loyalty_enrolled": False,
        "loyalty_balance": 0,
        "loyalty_reason": "",
        "actor": OPS,
        "expected_version": customer.version,
        **overrides,
    }
    return customer_save(**arguments)


def test_save_raises_the_version_by_one(db):
    customer = make_customer()

    save(customer)

    assert Customer.objects.get(pk=customer.pk).version == 2


def test_stale_version_writes_nothing(db):
    customer = make_customer(city="Boston")
    stale = Customer.objects.get(pk=customer.pk)
    save(customer)
    stale.city = "Chicago"

    with pytest.raises(ConcurrentEditError):
        save(stale, expected_version=1)

    assert Customer.objects.get(pk=customer.pk).city == "Boston"


def test_customer_deleted_while_being_edited_is_not_brought_back(db):
    customer = make_customer()
    editing = Customer.objects.get(pk=customer.pk)
    customers_delete(customers=[customer], actor=OPS)

    with pytest.raises(ConcurrentEditError):
        save(editing, expected_version=editing.version)

    assert Customer.all_objects.get(pk=customer.pk).is_deleted


def test_without_an_expected_version_the_save_is_not_checked(db):
    customer = make_customer()
    save(Customer.objects.get(pk=customer.pk))

    save(customer, expected_version=None)

    assert Customer.objects.get(pk=customer.pk).version == 3
