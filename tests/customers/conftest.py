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
