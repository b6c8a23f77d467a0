"""Two people creating the same thing at once (the attacker's second visit, finding 11):
both forms pass their uniqueness check, the database keeps one row, and the other person
gets the form's own field error, never a 500. On SQLite the race is staged (the rival row
is written between the form's check and the save); on PostgreSQL eight threads race."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from house_accounts.forms import HouseAccountForm
from house_accounts.models import HouseAccount
from loyalty.models import LoyaltyCard
from loyalty.services import card_batch_generate
from memberships.forms import MembershipAccountForm, MembershipTypeForm
from memberships.models import MembershipAccount, MembershipType
from tests.factories import OPS, make_customer, make_house_account, make_membership, make_plan
from tests.forms import field_errors
from tests.loyalty.test_concurrency import at_once

pytestmark = pytest.mark.django_db


def staged_race(monkeypatch, form_class, rival):
    """The form's uniqueness check runs before ``rival()`` writes the same value, as when
    another person's save lands between this one's check and its insert."""
    check = form_class.validate_unique
    calls = []

    def validate_unique(form):
        calls.append(1)
        if len(calls) == 1:
            check(form)
            rival()
        else:
            check(form)

    monkeypatch.setattr(form_class, "validate_unique", validate_unique)


def test_a_membership_type(manager_client, monkeypatch):
    staged_race(monkeypatch, MembershipTypeForm, lambda: MembershipType.objects.create(name="Gold"))

    response = manager_client.post(
        reverse("memberships:type_create"), {"name": "Gold", "price_level": 0, "description": ""}
    )

    assert field_errors(response, "name") == ["Membership type with this Type already exists."]
    assert MembershipType.objects.count() == 1


def test_a_house_account_number(manager_client, downtown, monkeypatch):
    ada = make_customer(stores=[downtown])
    staged_race(monkeypatch, HouseAccountForm, lambda: make_house_account(account_number="HA77"))

    response = manager_client.post(
        reverse("house_accounts:create"),
        {"customer": ada.pk, "account_number": "HA77", "opening_balance": "10.00"},
    )

    assert field_errors(response, "account_number") == [
        "House account with this Account number already exists."
    ]
    assert HouseAccount.objects.count() == 1


def test_a_membership_card_number(manager_client, downtown, monkeypatch):
    ada = make_customer(stores=[downtown])
    plan = make_plan()
    staged_race(monkeypatch, MembershipAccountForm, lambda: make_membership(card_number="MEM9"))

    response = manager_client.post(
        reverse("memberships:account_create"),
        {"customer": ada.pk, "plan": plan.pk, "card_number": "MEM9", "issue_date": "2026-12-01"},
    )

    assert "already exists" in field_errors(response, "card_number")[0]
    assert MembershipAccount.objects.count() == 1


def test_opening_in_credit_without_allowing_it_is_a_field_error(manager_client, downtown):
    """Finding 10: -50.00 without credit was an unhandled error."""
    ada = make_customer(stores=[downtown])

    response = manager_client.post(
        reverse("house_accounts:create"),
        {"customer": ada.pk, "account_number": "HA1", "opening_balance": "-50.00"},
    )

    assert field_errors(response, "opening_balance") == [
        "Below zero is a credit: tick “Allow credit” to open the account in credit, or enter "
        "what the customer owes."
    ]
    assert not HouseAccount.objects.exists()


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and unique indexes raced on PostgreSQL"
)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_eight_managers_creating_one_type_at_once(manager):
    statuses = []

    def create(_):
        client = Client()
        client.force_login(manager)
        data = {"name": "Gold", "price_level": 0, "description": ""}
        statuses.append(client.post(reverse("memberships:type_create"), data).status_code)

    assert at_once(create, threads=8) == []
    assert sorted(statuses) == [200] * 7 + [302]
    assert MembershipType.objects.count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_eight_cards_given_to_one_customer_at_once(clerk, downtown):
    ada = make_customer(stores=[downtown])
    codes = list(card_batch_generate(size=8, actor=OPS).cards.values_list("code", flat=True))
    statuses = []

    def give(number):
        client = Client()
        client.force_login(clerk)
        url = reverse("loyalty:assign_card", args=[ada.pk])
        statuses.append(client.post(url, {"code": codes[number]}).status_code)

    assert at_once(give, threads=8) == []
    assert statuses == [302] * 8
    assert LoyaltyCard.objects.filter(customer=ada).count() == 1
