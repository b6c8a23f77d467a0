"""Ops: adjust_loyalty, check_loyalty and generate_customer_codes."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from loyalty import codes
from loyalty.models import LoyaltyAccount, LoyaltyCard, LoyaltyLedgerEntry
from loyalty.services import loyalty_enrol
from tests.factories import OPS, make_customer

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def ada(db):
    return make_customer(
        first_name="Ada", last_name="Lovelace", email="ada@example.com", loyalty_balance=100
    )


class TestAdjustLoyalty:
    def test_prints_the_new_balance(self, ada):
        out = run("adjust_loyalty", "--customer", "ADA@example.com", "--points", "25",
                  "--reason", "goodwill", "--note", "Phone complaint")  # fmt: skip

        assert out == "125\n"
        entry = LoyaltyLedgerEntry.objects.filter(account__customer=ada).first()
        assert (entry.delta, entry.reason, entry.note) == (25, "goodwill", "Phone complaint")

    def test_finds_the_customer_by_id_and_takes_points_off(self, ada):
        out = run("adjust_loyalty", "--customer", str(ada.pk), "--points", "-40",
                  "--reason", "redemption")  # fmt: skip

        assert out == "60\n"

    @pytest.mark.parametrize(
        ("arguments", "message"),
        [
            (["--customer", "nobody@example.com", "--points", "5", "--reason", "goodwill"],
             "No customer has the email address or ID “nobody@example.com”."),
            (["--customer", "ada@example.com", "--points", "5", "--reason", "bribe"],
             "Unknown reason “bribe”"),
            (["--customer", "ada@example.com", "--points", "5", "--reason", "other"],
             "A note is required for the reason “Other”."),
            (["--customer", "ada@example.com", "--points", "-101", "--reason", "redemption"],
             "it is 100 points"),
            (["--customer", "ada@example.com", "--points", "0", "--reason", "goodwill"],
             "nothing to adjust"),
        ],
    )  # fmt: skip
    def test_refusals_are_one_line_and_write_nothing(self, ada, arguments, message):
        with pytest.raises(CommandError) as refusal:
            run("adjust_loyalty", *arguments)

        assert message in str(refusal.value)
        assert "\n" not in str(refusal.value)
        assert LoyaltyAccount.objects.get(customer=ada).balance == 100

    def test_a_customer_out_of_the_programme_is_refused(self, ada):
        loyalty_enrol(customer=ada, enrolled=False, actor=OPS)

        with pytest.raises(CommandError, match="not enrolled"):
            run("adjust_loyalty", "--customer", "ada@example.com", "--points", "5",
                "--reason", "goodwill")  # fmt: skip


class TestCheckLoyalty:
    def test_passes_when_every_balance_is_its_entries_sum(self, ada):
        make_customer(loyalty_balance=7)
        make_customer(loyalty_enrolled=False)

        out = run("check_loyalty")

        assert out == (
            "Checked 3 loyalty accounts: every balance equals the sum of its ledger entries.\n"
        )

    def test_fails_listing_an_account_changed_behind_the_ledgers_back(self, ada):
        account = LoyaltyAccount.objects.get(customer=ada)
        with connection.cursor() as cursor:  # what a stray script could do
            cursor.execute(
                f"UPDATE {LoyaltyAccount._meta.db_table} SET balance = 90 WHERE id = %s",
                [account.pk],
            )
        errors = StringIO()

        with pytest.raises(CommandError, match="1 loyalty account differ"):
            call_command("check_loyalty", stdout=StringIO(), stderr=errors)

        assert errors.getvalue() == (
            f"account {account.pk} (customer {ada.pk}): balance 90, its entries sum to 100\n"
        )

    def test_fails_when_the_lists_copy_of_the_balance_is_wrong(self, ada):
        type(ada).all_objects.filter(pk=ada.pk).update(loyalty_points=5)
        errors = StringIO()

        with pytest.raises(CommandError):
            call_command("check_loyalty", stdout=StringIO(), stderr=errors)

        assert "the customer list shows 5 points" in errors.getvalue()


def test_generate_customer_codes_prints_new_valid_codes_one_per_line(db):
    out = run("generate_customer_codes", "--count", "25")

    printed = out.split()
    assert len(printed) == len(set(printed)) == 25
    assert all(codes.is_valid(code) for code in printed)
    assert set(LoyaltyCard.objects.values_list("code", flat=True)) == set(printed)


@pytest.mark.parametrize("count", ["0", "-3", "100001"])
def test_generate_customer_codes_refuses_a_count_out_of_range(db, count):
    with pytest.raises(CommandError, match="between 1 and 100,000"):
        run("generate_customer_codes", "--count", count)
