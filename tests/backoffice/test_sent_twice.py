"""A money form sent twice records once (the attacker's second visit, finding 11): each
form carries a one-time token, kept by the entry it records; a double click or a resent
page finds that entry and says so. Two forms shown twice are two entries."""

import uuid

import pytest
from django.urls import reverse

from house_accounts.models import HouseAccountEntry
from memberships.models import MembershipEntry
from tests.factories import make_customer, make_house_account, make_membership

pytestmark = pytest.mark.django_db


def token_of(client, url):
    return client.get(url).context["form"]["token"].value()


@pytest.fixture
def ada(downtown):
    return make_customer(first_name="Ada", stores=[downtown])


@pytest.mark.parametrize("form", ["house account", "membership"])
def test_the_same_form_sent_twice_records_once(clerk_client, ada, downtown, form):
    if form == "house account":
        account, entries = make_house_account(ada), HouseAccountEntry.objects
        url = reverse("house_accounts:entry", args=[account.pk])
        data = {"kind": "charge", "amount": "20.00", "store": downtown.pk, "reference": "R1"}
    else:
        account, entries = make_membership(ada), MembershipEntry.objects.filter(kind="charge")
        url = reverse("memberships:charge", args=[account.pk])
        data = {"kind": "charge", "amount": "20.00", "store": downtown.pk}
    data["token"] = token_of(clerk_client, url)

    first = clerk_client.post(url, data)
    second = clerk_client.post(url, data, follow=True)

    assert first.url == account.get_absolute_url()
    assert entries.count() == 1
    assert "This charge of USD 20.00 was already recorded (the form was sent twice)" in (
        second.content.decode()
    )
    data["token"] = token_of(clerk_client, url)  # the form shown again: a new charge
    clerk_client.post(url, data)
    assert entries.count() == 2


def test_each_showing_of_the_form_has_its_own_token(clerk_client, ada):
    url = reverse("house_accounts:entry", args=[make_house_account(ada).pk])

    first, second = token_of(clerk_client, url), token_of(clerk_client, url)

    assert uuid.UUID(str(first)) != uuid.UUID(str(second))
