"""Membership accounts: an allowance per period, spent by the holder and members, renewed."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from backoffice.models import AuditEvent
from memberships.models import MembershipAccount, MembershipEntry, Period
from memberships.services import (
    AlreadyAMember,
    MembershipError,
    membership_add_member,
    membership_charge,
    membership_refund,
    renew_memberships,
)
from tests.factories import OPS, make_customer, make_membership, make_plan

pytestmark = pytest.mark.django_db

ISSUED = datetime.date(2026, 1, 31)


@pytest.fixture
def family_plan():
    """100.00 a month, renewed automatically."""
    return make_plan("Family", allowance="100.00", period="monthly", auto_renew=True)


@pytest.fixture
def ada(downtown):
    return make_customer(first_name="Ada", last_name="Lovelace", stores=[downtown])


@pytest.fixture
def account(ada, family_plan):
    return make_membership(ada, plan=family_plan, issue_date=ISSUED, card_number="FAM001")


def stored(account):
    return MembershipAccount.objects.get(pk=account.pk)


def ledger(account):
    entries = MembershipEntry.objects.filter(account=account).order_by("pk")
    return [(entry.kind, entry.amount, entry.balance_after) for entry in entries]


@pytest.mark.parametrize(
    ("period", "issued", "ends"),
    [
        ("monthly", "2026-01-15", ["2026-02-14", "2026-03-14"]),
        ("monthly", "2026-01-31", ["2026-02-27", "2026-03-30"]),
        ("quarterly", "2026-11-01", ["2027-01-31", "2027-04-30"]),
        ("half_yearly", "2026-03-01", ["2026-08-31", "2027-02-28"]),
        ("yearly", "2024-02-29", ["2025-02-27", "2026-02-27"]),
    ],
)
def test_periods_end_the_day_before_the_issue_day_comes_round_without_drifting(
    period, issued, ends
):
    ends_as_dates = [datetime.date.fromisoformat(end) for end in ends]
    issued = datetime.date.fromisoformat(issued)
    assert [Period(period).end(issued, n) for n in (1, 2)] == ends_as_dates


class TestOpening:
    def test_the_balance_starts_at_the_allowance_and_the_expiry_follows_the_plan(self, account):
        assert (account.balance, account.expiry_date) == (
            Decimal("100.00"),
            datetime.date(2026, 2, 27),
        )
        assert ledger(account) == [("opening", Decimal("100.00"), Decimal("100.00"))]
        assert [seat.customer for seat in account.seats.all()] == [account.customer]

    def test_a_customer_in_an_active_membership_cannot_hold_another(self, account, ada):
        with pytest.raises(AlreadyAMember, match="already in the active membership FAM001"):
            make_membership(ada)

    def test_a_member_of_one_cannot_join_or_hold_another(self, account, family_plan):
        grace = make_customer(first_name="Grace")
        membership_add_member(account=account, customer=grace, actor=OPS)

        with pytest.raises(AlreadyAMember, match="FAM001"):
            make_membership(grace, plan=family_plan)
        other = make_membership(plan=family_plan)
        with pytest.raises(AlreadyAMember, match="FAM001"):
            membership_add_member(account=other, customer=grace, actor=OPS)


class TestSpending:
    def test_charges_and_refunds_move_the_allowance_with_an_entry_and_an_audit_event(
        self, account, downtown, clerk
    ):
        membership_charge(
            account=account, amount=Decimal("30.50"), store=downtown, note="Lunch", actor=clerk
        )
        membership_refund(
            account=account, amount=Decimal("5.25"), store=downtown, note="", actor=clerk
        )

        assert stored(account).balance == Decimal("74.75")
        assert ledger(account)[1:] == [
            ("charge", Decimal("-30.50"), Decimal("69.50")),
            ("refund", Decimal("5.25"), Decimal("74.75")),
        ]
        event = AuditEvent.objects.filter(object_id=account.pk, action="balance").first()
        assert event.summary == "Refund USD 5.25 at Downtown"

    def test_a_charge_beyond_the_allowance_left_is_refused(self, account, downtown):
        membership_charge(account=account, amount=Decimal("90"), store=downtown, note="", actor=OPS)

        with pytest.raises(MembershipError, match="more than the allowance left, USD 10.00"):
            membership_charge(
                account=account, amount=Decimal("10.01"), store=downtown, note="", actor=OPS
            )
        assert stored(account).balance == Decimal("10.00")


class TestRenewal:
    def test_an_auto_renewing_account_resets_to_the_allowance_once_per_period(
        self, account, downtown
    ):
        membership_charge(account=account, amount=Decimal("60"), store=downtown, note="", actor=OPS)

        assert renew_memberships(today=datetime.date(2026, 2, 28)) == (1, 0)
        assert renew_memberships(today=datetime.date(2026, 2, 28)) == (0, 0)  # idempotent

        renewed = stored(account)
        assert (renewed.balance, renewed.expiry_date) == (
            Decimal("100.00"),
            datetime.date(2026, 3, 30),
        )
        assert ledger(account)[-1] == ("renewal", Decimal("60.00"), Decimal("100.00"))

    def test_unused_allowance_does_not_carry_over_and_missed_periods_are_skipped(self, account):
        assert renew_memberships(today=datetime.date(2026, 6, 1)) == (1, 0)

        renewed = stored(account)
        assert (renewed.balance, renewed.expiry_date) == (
            Decimal("100.00"),
            datetime.date(2026, 6, 29),
        )
        assert ledger(account)[-1] == ("renewal", Decimal("0.00"), Decimal("100.00"))

    def test_an_account_without_renewal_expires_and_frees_its_members(self, ada, downtown):
        account = make_membership(ada, plan=make_plan(auto_renew=False), issue_date=ISSUED)

        call_command("renew_memberships", stdout=open("/dev/null", "w"))  # noqa: SIM115

        assert stored(account).status == "expired"
        with pytest.raises(MembershipError, match="expired on 2026-02-27"):
            membership_charge(
                account=account, amount=Decimal("1"), store=downtown, note="", actor=OPS
            )
        assert make_membership(ada).customer == ada  # free to join another


class TestARefundGivesBackAtMostWhatWasCharged:
    """MEM0005 (an allowance of 500.00) once went from 437.50 to 1,691.96 by refunds."""

    @pytest.fixture
    def mem0005(self, ada, downtown):
        plan = make_plan(allowance="500.00")
        account = make_membership(ada, plan=plan, card_number="MEM0005")
        membership_charge(account=account, amount=Decimal("62.50"), store=downtown, note="",
                          actor=OPS)  # fmt: skip
        return account

    def test_a_refund_past_what_was_charged_is_refused(self, mem0005, downtown):
        with pytest.raises(
            MembershipError, match=r"at most what was charged this period: USD 62.50"
        ):
            membership_refund(account=mem0005, amount=Decimal("1254.46"), store=downtown,
                              note="", actor=OPS)  # fmt: skip

        assert stored(mem0005).balance == Decimal("437.50")

    def test_what_was_charged_can_be_refunded_in_full_once(self, mem0005, downtown):
        membership_refund(account=mem0005, amount=Decimal("62.50"), store=downtown, note="",
                          actor=OPS)  # fmt: skip

        with pytest.raises(MembershipError, match="USD 0.00"):
            membership_refund(account=mem0005, amount=Decimal("0.01"), store=downtown, note="",
                              actor=OPS)  # fmt: skip
        assert stored(mem0005).balance == Decimal("500.00")
