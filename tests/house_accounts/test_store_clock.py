"""A house account's limit periods and statements follow the clock of the store charging
(issue 31, Low 11): a New York charge at 20:30 is on New York's day, whatever TIME_ZONE
says."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from freezegun import freeze_time

from house_accounts.models import HouseAccountEntry
from house_accounts.services import (
    HouseAccountError,
    house_account_charge,
    left_this_period,
    statement,
)
from registers.services import register_create
from tests.factories import OPS, make_customer, make_house_account, make_store
from tests.tills import till_client

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
DAY = datetime.date(2026, 3, 3)  # a Tuesday, standard time: New York is UTC-5


@pytest.fixture(autouse=True)
def server_in_utc(settings):
    settings.TIME_ZONE = "UTC"


@pytest.fixture
def new_york():
    return make_store("Manhattan", code="NY01", country="US", time_zone="America/New_York")


@pytest.fixture
def daily(new_york):
    """A daily limit of 100.00, for a customer of the New York store."""
    return make_house_account(
        make_customer(stores=[new_york]), account_number="HA-NY", period_limit_enabled=True,
        limit_period="daily", limit_amount=Decimal("100.00"),
    )  # fmt: skip


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), NEW_YORK)


def charge(account, store, amount, when):
    with freeze_time(when):
        return house_account_charge(
            account=account, amount=Decimal(amount), store=store, reference="", note="",
            actor=OPS,
        )  # fmt: skip


def test_a_new_york_evening_charge_is_in_new_yorks_day(daily, new_york):
    charge(daily, new_york, "80.00", at(DAY, 18))  # 23:00 UTC

    # 20:30 in New York is the next day in UTC, and the same day's period in New York.
    with pytest.raises(
        HouseAccountError,
        match=r"USD 20.00 is left for the period that began on Tuesday 2026-03-03",
    ):
        charge(daily, new_york, "30.00", at(DAY, 20, 30))
    with freeze_time(at(DAY, 20, 30)):
        assert left_this_period(daily, store=new_york) == (Decimal("20.00"), DAY)


def test_new_yorks_midnight_begins_a_new_period(daily, new_york):
    charge(daily, new_york, "80.00", at(DAY, 23, 30))  # 04:30 UTC the next day

    charge(daily, new_york, "80.00", at(DAY + datetime.timedelta(days=1), 0, 30))

    assert daily.entries.filter(kind=HouseAccountEntry.Kind.CHARGE).count() == 2


def test_a_statement_is_of_the_stores_days(daily, new_york):
    charge(daily, new_york, "30.00", at(DAY, 20, 30))  # 01:30 UTC the next day

    _, entries, closing = statement(daily, DAY, DAY, zone=new_york.zone)

    assert ([entry.amount for entry in entries], closing) == ([Decimal("30.00")], Decimal("30.00"))
    assert statement(daily, DAY, DAY)[1] == []  # on UTC's days, the day after


def test_the_statement_page_is_of_the_stores_days(manager_client, daily, new_york):
    charge(daily, new_york, "30.00", at(DAY, 20, 30))
    url = reverse("house_accounts:statement", args=[daily.pk])

    csv = manager_client.get(url, {"date_from": DAY, "date_to": DAY, "format": "csv"})

    rows = b"".join(csv.streaming_content).decode().splitlines()
    assert rows[2].startswith("2026-03-03T20:30:00-05:00,Charge,Manhattan,")


def test_a_till_is_told_what_is_left_of_its_stores_day(daily, new_york):
    """The API's "available" is what the till's charge will be checked against."""
    till = till_client(register_create(name="Front", store=new_york, actor=OPS)[1])
    charge(daily, new_york, "80.00", at(DAY, 18))  # 23:00 UTC

    with freeze_time(at(DAY, 20, 30)):  # 01:30 UTC: a new day in UTC, not in New York
        response = till.get(reverse("api_customer", args=[daily.customer_id]))

    assert response.json()["house_accounts"][0]["available"] == "20.00"
