"""The loyalty balance: one service writes it, the ledger explains it, and it never drifts."""

import re
from pathlib import Path

import pytest

from backoffice.models import AuditEvent
from customers.models import Customer
from loyalty.models import LoyaltyAccount, LoyaltyLedgerEntry
from loyalty.services import (
    BalanceTooLow,
    LoyaltyError,
    NotEnrolled,
    StaleBalance,
    loyalty_adjust,
    loyalty_enrol,
    loyalty_update,
    open_accounts,
)
from tests.factories import OPS, make_customer, make_user

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ada(db):
    """Ada has 100 points."""
    return make_customer(first_name="Ada", last_name="Lovelace", loyalty_balance=100)


def account_of(customer):
    return LoyaltyAccount.objects.get(customer=customer)


def ledger(customer):
    entries = LoyaltyLedgerEntry.objects.filter(account__customer=customer).order_by("pk")
    return list(entries.values_list("reason", "delta", "balance_after"))


class TestAdjust:
    def test_adds_points_with_a_ledger_entry_and_an_audit_event(self, ada, clerk):
        entry = loyalty_adjust(
            account=ada.loyalty_account, delta=50, reason="goodwill", note="Late order", actor=clerk
        )

        assert (entry.delta, entry.balance_after, entry.note, entry.created_by) == (
            50,
            150,
            "Late order",
            clerk,
        )
        assert account_of(ada).balance == 150
        assert Customer.objects.get(pk=ada.pk).loyalty_points == 150  # what the list sorts by
        event = AuditEvent.objects.filter(object_id=ada.pk).latest("pk")
        assert (event.action, event.summary, event.changes) == (
            "loyalty",
            "+50 points (Goodwill: Late order)",
            {"loyalty_balance": [100, 150]},
        )

    def test_takes_points_off(self, ada):
        loyalty_adjust(
            account=ada.loyalty_account, delta=-30, reason="redemption", note="", actor=OPS
        )

        assert account_of(ada).balance == 70
        assert ledger(ada)[-1] == ("redemption", -30, 70)

    def test_below_zero_is_refused_with_the_current_balance(self, ada):
        with pytest.raises(BalanceTooLow, match="it is 100 points"):
            loyalty_adjust(
                account=ada.loyalty_account, delta=-101, reason="redemption", note="", actor=OPS
            )

        assert account_of(ada).balance == 100
        assert ledger(ada)[-1] == ("opening", 100, 100)

    @pytest.mark.parametrize("reason", ["correction", "other"])
    def test_a_correction_or_other_needs_a_note(self, ada, reason):
        with pytest.raises(LoyaltyError, match="note is required"):
            loyalty_adjust(account=ada.loyalty_account, delta=5, reason=reason, note=" ", actor=OPS)

        assert account_of(ada).balance == 100

    def test_an_unknown_reason_is_refused(self, ada):
        with pytest.raises(LoyaltyError, match="not a loyalty reason"):
            loyalty_adjust(account=ada.loyalty_account, delta=5, reason="bribe", note="", actor=OPS)

    def test_a_customer_out_of_the_programme_cannot_be_adjusted(self, ada):
        loyalty_enrol(customer=ada, enrolled=False, actor=OPS)

        with pytest.raises(NotEnrolled):
            loyalty_adjust(
                account=ada.loyalty_account, delta=5, reason="goodwill", note="", actor=OPS
            )

    def test_every_entry_moves_the_version_on(self, ada):
        version = account_of(ada).version
        loyalty_adjust(account=ada.loyalty_account, delta=5, reason="goodwill", note="", actor=OPS)
        loyalty_adjust(account=ada.loyalty_account, delta=-2, reason="return", note="", actor=OPS)

        account = account_of(ada)
        assert account.version == version + 2 == account.entries.count()
        assert [account.balance_at(v) for v in range(account.version + 1)] == [0, 0, 100, 105, 103]


class TestEnrolment:
    def test_leaving_keeps_the_balance_and_enrolling_again_brings_it_back(self, ada, clerk):
        loyalty_enrol(customer=ada, enrolled=False, actor=clerk)

        assert (account_of(ada).enrolled, account_of(ada).balance) == (False, 100)
        assert Customer.objects.get(pk=ada.pk).loyalty_points is None

        loyalty_enrol(customer=ada, enrolled=True, actor=clerk)

        assert (account_of(ada).enrolled, account_of(ada).balance) == (True, 100)
        assert Customer.objects.get(pk=ada.pk).loyalty_points == 100
        assert ledger(ada)[-2:] == [("left", 0, 100), ("enrolled", 0, 100)]
        summaries = AuditEvent.objects.filter(object_id=ada.pk).order_by("-pk")[:2]
        assert [event.summary for event in summaries] == [
            "Enrolled in the loyalty programme",
            "Left the loyalty programme",
        ]


class TestTheCustomerFormsTotal:
    def test_a_new_total_is_one_adjustment_of_the_difference(self, ada):
        loyalty_update(customer=ada, enrolled=True, balance=40, reason="redemption", actor=OPS)

        assert ledger(ada)[-1] == ("redemption", -60, 40)

    def test_the_same_total_writes_nothing(self, ada):
        before = ledger(ada)

        loyalty_update(customer=ada, enrolled=True, balance=100, reason="", actor=OPS)

        assert ledger(ada) == before

    def test_a_total_typed_before_another_change_is_refused(self, ada):
        loaded = account_of(ada).version
        loyalty_adjust(account=ada.loyalty_account, delta=25, reason="purchase", note="", actor=OPS)

        with pytest.raises(StaleBalance):
            loyalty_update(
                customer=ada,
                enrolled=True,
                balance=100 + 10,
                reason="goodwill",
                actor=OPS,
                expected_version=loaded,
            )

        assert account_of(ada).balance == 125


class TestOnlyTheServiceWritesABalance:
    def test_the_model_refuses_to_save_a_changed_balance(self, ada):
        account = account_of(ada)
        account.balance = 1_000_000

        with pytest.raises(ValueError, match="loyalty_adjust only"):
            account.save()

    def test_a_new_account_cannot_start_with_points(self, db):
        customer = Customer.objects.create(first_name="No", last_name="Service", email="n@x.org")

        with pytest.raises(ValueError):
            LoyaltyAccount(customer=customer, enrolled=True, balance=5).save()

    def test_ledger_entries_are_never_changed_or_deleted(self, ada):
        entry = LoyaltyLedgerEntry.objects.filter(account__customer=ada).first()

        with pytest.raises(ValueError):
            entry.save()
        with pytest.raises(ValueError):
            entry.delete()

    def test_no_other_module_writes_a_balance(self):
        """Outside ``loyalty/services.py`` and the posting path every ledger shares
        (``backoffice/ledgers.py``), no application code sets an account's balance,
        updates it through a queryset or in SQL, or creates accounts or ledger entries.
        (The customer's copy of the points, which the seed writes with its rows, is proved
        by ``check_loyalty``.)"""
        writes = re.compile(
            r"\.balance\s*=[^=]|\.update\([^)]*\bbalance\s*="
            r"|Loyalty(Account|LedgerEntry)\.objects\.(create|bulk_create|bulk_update|update_or)"
            r"|insert_rows\(\s*Loyalty|UPDATE\s+\W?loyalty_",
            re.IGNORECASE,
        )
        apps = ["backoffice", "customers", "loyalty", "stores"]
        offenders = [
            f"{path.relative_to(PROJECT)}:{text.count(chr(10), 0, found.start()) + 1}"
            for app in apps
            for path in (PROJECT / app).rglob("*.py")
            if "migrations" not in path.parts
            and path
            not in (PROJECT / "loyalty" / "services.py", PROJECT / "backoffice" / "ledgers.py")
            for text in [path.read_text()]
            for found in writes.finditer(text)
        ]
        assert offenders == []


def test_opening_balances_in_bulk_are_accounts_with_one_entry_each(db):
    customers = [make_customer(loyalty_enrolled=False) for _ in range(3)]
    LoyaltyAccount.objects.filter(customer__in=customers).delete()
    opened_by = make_user()

    open_accounts(
        [
            (customers[0].pk, 70, customers[0].created_at),
            (customers[1].pk, 0, customers[1].created_at),
        ],
        reason="opening",
        actor=opened_by,
    )

    assert ledger(customers[0]) == [("opening", 70, 70)]
    assert ledger(customers[1]) == []
    assert (account_of(customers[0]).balance, account_of(customers[0]).version) == (70, 1)
    assert account_of(customers[1]).enrolled
    assert not LoyaltyAccount.objects.filter(customer=customers[2]).exists()
