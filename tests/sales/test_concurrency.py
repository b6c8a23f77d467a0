"""Twenty registers selling to one customer at once on PostgreSQL, half their sales sent
twice: every sale counts once, no sale that should pass is refused, and the balances are
exact. (SQLite lets one writer in at a time: nothing to race there.)"""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from customers.models import Customer
from loyalty.models import LoyaltyAccount
from registers.services import register_create
from sales.models import Sale
from sales.services import SaleRefused, record_sale
from tests.factories import OPS, make_customer, make_store
from tests.loyalty.test_concurrency import at_once

REGISTERS = 20
SALES_EACH = 25

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks race on PostgreSQL"),
]


def test_twenty_registers_each_selling_25_times_to_one_customer_with_redemptions():
    store = make_store("Boston", code="BO01")
    ada = make_customer(first_name="Ada", stores=[store], loyalty_balance=1000)
    registers = [
        register_create(name=f"Till {number}", store=store, actor=OPS)[0]
        for number in range(REGISTERS)
    ]
    noon = timezone.now() - datetime.timedelta(hours=1)
    answers = []

    def sell(number):
        register = registers[number]
        for receipt in range(SALES_EACH):
            sale = {
                "id": f"T{number}-{receipt}", "customer": ada, "total": Decimal("10.00"),
                "occurred_at": noon, "points_redeemed": 5,
            }  # fmt: skip
            for _ in range(2 if receipt % 2 else 1):  # every other sale is sent twice
                answers.append(record_sale(register=register, sale=sale, fingerprint="same")[1])

    assert at_once(sell, threads=REGISTERS) == []

    sales = REGISTERS * SALES_EACH
    assert answers.count(True) == sales  # recorded now: each sale once
    assert answers.count(False) == REGISTERS * (SALES_EACH // 2)  # the repeats found them
    assert Sale.objects.count() == sales
    # Each sale redeems 5 points and earns 9 (10.00 less the 0.05 paid with points).
    assert LoyaltyAccount.objects.get(customer=ada).balance == 1000 + sales * (9 - 5)
    ada = Customer.objects.get(pk=ada.pk)
    assert (ada.sale_count, ada.total_spent, ada.lifetime_points) == (
        sales, Decimal("10.00") * sales, 9 * sales,
    )  # fmt: skip
    call_command("check_balances", stdout=StringIO())


def test_refunds_of_one_sale_from_ten_registers_at_once_give_back_no_more_than_it_was():
    """The customer's row lock puts a customer's sales one after the other: without it,
    each refund read what was left of the sale before the others wrote theirs."""
    store = make_store("Boston", code="BO01")
    ada = make_customer(first_name="Ada", stores=[store])
    registers = [
        register_create(name=f"Till {number}", store=store, actor=OPS)[0] for number in range(10)
    ]
    noon = timezone.now() - datetime.timedelta(hours=1)
    record_sale(
        register=registers[0], fingerprint="sale",
        sale={"id": "R1", "customer": ada, "total": Decimal("30.00"), "occurred_at": noon},
    )  # fmt: skip
    refused = []

    def refund(number):
        try:
            record_sale(
                register=registers[number], fingerprint=f"refund {number}",
                sale={"id": f"X{number}", "customer": ada, "total": Decimal("-20.00"),
                      "occurred_at": noon, "refund_for": "R1"},
            )  # fmt: skip
        except SaleRefused:
            refused.append(number)

    assert at_once(refund, threads=10) == []

    assert len(refused) == 9
    assert Sale.objects.exclude(refund_for=None).count() == 1
    assert Customer.objects.get(pk=ada.pk).total_spent == Decimal("10.00")
