"""The tallies behind the tiles and the unfiltered count stay exact through every write."""

import contextlib
import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from customers import tallies
from customers.models import Customer, CustomerTally
from customers.services import customer_restore, customer_save, customers_delete, customers_purge
from loyalty.services import loyalty_update
from tests.factories import OPS, make_customer

LIST_URL = reverse("customers:list")


def assert_tallies_are_exact():
    assert tallies.differences() == {}


def tiles(client, **params):
    response = client.get(LIST_URL, params)
    return {tile["label"]: tile["count"] for tile in response.context["tiles"]}


@pytest.fixture
def ada(downtown):
    return make_customer(first_name="Ada", stores=[downtown], loyalty_balance=10)


class TestEveryWriteKeepsTheTalliesExact:
    def test_create(self, downtown, riverside):
        make_customer(stores=[downtown, riverside])
        make_customer(stores=[downtown], customer_type="business", company_name="Acme")
        make_customer(stores=[riverside], loyalty_balance=5)

        assert_tallies_are_exact()
        assert tallies.tile_counts(downtown) == {
            "total": 2,
            "new_this_month": 2,
            "loyalty_members": 0,
            "business": 1,
        }
        assert tallies.tile_counts()["total"] == 3

    def test_type_and_store_changes(self, ada, downtown, riverside):
        ada.customer_type = Customer.Type.BUSINESS
        ada.company_name = "Ada Analytics"
        customer_save(customer=ada, stores=[riverside], actor=OPS)

        assert_tallies_are_exact()
        assert tallies.tile_counts(downtown)["total"] == 0
        assert tallies.tile_counts(riverside)["business"] == 1

    def test_enrolling_and_leaving_the_loyalty_programme(self, ada):
        loyalty_update(customer=ada, enrolled=False, balance=10, reason="", actor=OPS)
        assert_tallies_are_exact()
        assert tallies.tile_counts()["loyalty_members"] == 0

        loyalty_update(customer=ada, enrolled=True, balance=10, reason="", actor=OPS)
        assert_tallies_are_exact()
        assert tallies.tile_counts()["loyalty_members"] == 1

    def test_delete_restore_and_purge(self, ada, downtown):
        grace = make_customer(stores=[downtown])

        customers_delete(customers=[ada, grace], actor=OPS)
        assert_tallies_are_exact()
        assert tallies.tile_counts(downtown)["total"] == 0

        customer_restore(customer=ada, actor=OPS)
        assert_tallies_are_exact()
        assert tallies.tile_counts(downtown)["total"] == 1

        customers_purge(customers=[grace], actor=OPS)
        assert_tallies_are_exact()

    def test_a_customer_created_last_month_is_not_new_this_month(self, downtown):
        a_month_ago = timezone.now() - datetime.timedelta(days=40)
        make_customer(stores=[downtown], created_at=a_month_ago)

        assert tallies.tile_counts(downtown)["new_this_month"] == 0
        assert tallies.tile_counts(downtown)["total"] == 1

    def test_demo_seeding(self, db):
        call_command("seed_demo", customers=60, stores=4, batch_size=25)

        assert_tallies_are_exact()
        assert tallies.tile_counts()["total"] == 60


class TestTheTilesReadTheTallies:
    def test_tiles_count_the_chosen_store(self, clerk_client, ada, downtown, riverside):
        make_customer(stores=[riverside])

        counts = tiles(clerk_client, store="DT01")

        assert counts["Total customers"] == 1
        assert counts["Loyalty members"] == 1


class TestCheckCommand:
    def test_says_so_when_the_tallies_match(self, ada, capsys):
        call_command("check_customer_tallies")

        assert "match" in capsys.readouterr().out

    def test_a_drifted_tally_fails_the_check_and_repair_recounts(self, ada, downtown, capsys):
        CustomerTally.objects.filter(store_id=downtown.pk, loyalty_enrolled=True).update(count=7)

        with pytest.raises(CommandError, match="1 tally differs from the customers"):
            call_command("check_customer_tallies")
        assert "tallied 7, counted 1" in capsys.readouterr().err

        call_command("check_customer_tallies", repair=True)
        assert_tallies_are_exact()


class TestChangesAddedTogether:
    """A transaction of many writes adds their tally changes once, in key order."""

    KEY = (CustomerTally.CHAIN, "personal", False, datetime.date(2026, 1, 1))

    def counted(self):
        return CustomerTally.objects.filter(
            store_id=self.KEY[0], customer_type=self.KEY[1], loyalty_enrolled=self.KEY[2],
            created_month=self.KEY[3],
        ).values_list("count", flat=True).first()  # fmt: skip

    def test_they_are_added_at_the_end_of_the_block(self, db):
        with transaction.atomic(), tallies.added_together():
            tallies.add({self.KEY: 2})
            tallies.add({self.KEY: 3})
            assert self.counted() is None  # not yet

        assert self.counted() == 5

    def test_an_inner_block_that_failed_takes_its_changes_back(self, db):
        with transaction.atomic(), tallies.added_together():
            tallies.add({self.KEY: 1})
            with contextlib.suppress(ValueError), transaction.atomic(), tallies.added_together():
                tallies.add({self.KEY: 5})
                raise ValueError

        assert self.counted() == 1
