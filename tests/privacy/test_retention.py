"""Retention: deleted customers are purged after DELETED_CUSTOMERS_KEPT_DAYS, and inactive
ones erased after INACTIVE_CUSTOMERS_ERASED_AFTER_DAYS when that is set, every night."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from customers.models import Customer
from tests.factories import make_customer, make_house_account

DAY = datetime.timedelta(days=1)


def run(*args):
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def deleted(customer, days_ago):
    Customer.all_objects.filter(pk=customer.pk).update(deleted_at=timezone.now() - days_ago * DAY)
    return customer


@pytest.fixture
def long_gone(downtown):
    return deleted(make_customer(first_name="Old", stores=[downtown]), 91)


@pytest.fixture
def recently_gone(downtown):
    return deleted(make_customer(first_name="New", stores=[downtown]), 89)


def test_purges_the_customers_deleted_longer_ago_than_kept(long_gone, recently_gone):
    assert run().splitlines() == [
        "Purged 1 customers deleted more than 90 days ago.",
        "Inactive customers are not erased (INACTIVE_CUSTOMERS_ERASED_AFTER_DAYS is unset).",
    ]
    assert list(Customer.all_objects.all()) == [recently_gone]
    assert run().splitlines()[0] == "Purged 0 customers deleted more than 90 days ago."


def test_a_dry_run_says_what_it_would_do_and_changes_nothing(long_gone, recently_gone):
    assert run("--dry-run").splitlines()[0] == (
        "Would purge 1 customers deleted more than 90 days ago."
    )
    assert Customer.all_objects.count() == 2


def test_keeps_a_deleted_customer_who_is_owed_money_and_says_why(long_gone):
    make_house_account(long_gone, account_number="HA-OLD", opening_balance="5.00")

    output = run()

    assert "Purged 0 customers" in output
    assert f"Kept {long_gone} (#{long_gone.pk}):" in output
    assert Customer.all_objects.filter(pk=long_gone.pk).exists()


def test_erases_inactive_customers_only_when_set(settings, downtown):
    idle = make_customer(first_name="Idle", stores=[downtown])
    busy = make_customer(first_name="Busy", stores=[downtown])
    a_year_ago = timezone.now() - 400 * DAY
    Customer.objects.filter(pk=idle.pk).update(updated_at=a_year_ago)
    Customer.objects.filter(pk=busy.pk).update(updated_at=a_year_ago, last_sale_at=timezone.now())

    assert "not erased" in run()
    assert Customer.objects.get(pk=idle.pk).erased_at is None

    settings.INACTIVE_CUSTOMERS_ERASED_AFTER_DAYS = 365
    assert "Would erase 1 customers with no sale and no change for 365 days." in run("--dry-run")
    assert "Erased 1 customers with no sale and no change for 365 days." in run()
    assert str(Customer.objects.get(pk=idle.pk)) == f"Erased customer #{idle.pk}"
    assert Customer.objects.get(pk=busy.pk).erased_at is None
    assert "Erased 0 customers" in run()
