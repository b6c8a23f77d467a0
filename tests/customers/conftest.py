import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_customer
from tests.forms import form_data


@pytest.fixture
def chain(db, downtown, riverside):
    """Four customers over two stores, of both types, some in the loyalty programme."""
    now = timezone.now()
    return {
        "ada": make_customer(
            first_name="Ada",
            last_name="Lovelace",
            email="ada@example.com",
            stores=[downtown],
            loyalty_balance=300,
            created_at=now - datetime.timedelta(days=1),
        ),
        "acme": make_customer(
            first_name="Bob",
            last_name="Builder",
            email="bob@acme.example",
            customer_type="business",
            company_name="Acme Ltd",
            stores=[riverside],
            loyalty_balance=50,
            created_at=now - datetime.timedelta(days=2),
        ),
        "grace": make_customer(
            first_name="Grace",
            last_name="Hopper",
            email="grace@example.com",
            stores=[downtown, riverside],
            created_at=now - datetime.timedelta(days=3),
        ),
        "zeta": make_customer(
            first_name="Zeta",
            last_name="Adams",
            email="zeta@example.com",
            customer_type="business",
            company_name="Zeta Corp",
            stores=[downtown],
            loyalty_balance=900,
            created_at=now - datetime.timedelta(days=400),
        ),
    }


@pytest.fixture
def new_customer_data(clerk_client, downtown):
    """The New Customer form as rendered, with the mandatory fields filled in."""
    data = form_data(clerk_client.get(reverse("customers:create")), "customer-form")
    data.update(first_name="Ada", last_name="Lovelace", email="ada@example.com")
    data["stores"] = [str(downtown.pk)]
    return data


@pytest.fixture
def boston_customer(downtown):
    """A customer whose cells a spreadsheet would spoil: an accent, a ZIP code and an ID
    with leading zeros, a phone starting with "+", a formula in the notes."""
    return make_customer(
        first_name="Sofía",
        last_name="García",
        email="sofia@example.com",
        phone="+16175550123",
        zip_code="02108",
        id_number="0071",
        date_of_birth=datetime.date(1990, 1, 31),
        notes='=HYPERLINK("http://evil.example","x")',
        stores=[downtown],
        loyalty_balance=300,
    )
