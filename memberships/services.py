"""Every write of a membership account: opening it, its members, its balance, renewal.

The balance is the allowance left in the current period. It moves only through
``membership_post``, which locks the account row, refuses to go below zero, and writes the
ledger entry and an audit event in the same transaction.
"""

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from backoffice import audit, ledgers
from backoffice.money import ZERO, cents, format_money
from customers.scope import refuse_unseen

from .models import MembershipAccount, MembershipEntry, MembershipSeat, Period


class MembershipError(Exception):
    """A change that cannot be made; the message says why, for the person who tried."""


class AlreadyAMember(MembershipError):
    def __init__(self, customer, account):
        super().__init__(
            f"{customer} is already in the active membership {account.card_number}: a "
            "customer can be in one active membership at a time."
        )
        self.account = account


def active_membership_of(customer):
    """The active account ``customer`` holds or is a member of, or None."""
    seat = (
        MembershipSeat.objects.filter(customer=customer, active=True)
        .select_related("account")
        .first()
    )
    return seat.account if seat else None


def refuse_if_a_member(customer, *, besides=None):
    account = active_membership_of(customer)
    if account is not None and account != besides:
        raise AlreadyAMember(customer, account)


@transaction.atomic
def membership_open(*, account, actor):
    """Open ``account`` (unsaved: holder, plan, card number, description, issue date): its
    expiry date comes from the plan's period, its balance starts at the plan's allowance."""
    refuse_unseen(actor, account.customer_id)
    refuse_if_a_member(account.customer)
    account.expiry_date = Period(account.plan.period).end(account.issue_date)
    account.created_by = actor if actor and actor.is_authenticated else None
    account.save()
    seat(account, account.customer, is_holder=True)
    audit.record(
        user=actor,
        action=audit.Action.CREATE,
        obj=account,
        summary=f"Opened for {account.customer} on the plan {account.plan}",
        changes={name: [None, value] for name, value in account_snapshot(account).items()},
    )
    membership_post(
        account=account,
        kind=MembershipEntry.Kind.OPENING,
        amount=account.plan.allowance,
        store=None,
        note="",
        actor=actor,
    )
    account.refresh_from_db()
    return account


@transaction.atomic
def membership_update(*, account, actor, expected_version=None):
    """Save the changed description of ``account`` (its plan, holder and dates stay),
    unless it changed since the form showing it was loaded (``expected_version``)."""
    stored = MembershipAccount.objects.select_for_update().get(pk=account.pk)
    refuse_unseen(actor, stored.customer_id)
    if expected_version is not None and expected_version != stored.version:
        raise MembershipError(
            "This membership changed while you were editing (a charge, a member, or an "
            "edit): your change was not saved. The page now shows it as it is; make your "
            "change again."
        )
    before = account_snapshot(stored)
    MembershipAccount.objects.filter(pk=account.pk).update(
        description=account.description, version=F("version") + 1
    )
    if changes := audit.changes_between(before, account_snapshot(account)):
        audit.record(
            user=actor, action=audit.Action.UPDATE, obj=account, summary="Changed", changes=changes
        )


def seat(account, customer, *, is_holder):
    try:
        with transaction.atomic():
            return MembershipSeat.objects.create(
                account=account, customer=customer, is_holder=is_holder, active=account.is_active
            )
    except IntegrityError:  # someone seated the customer elsewhere meanwhile
        raise AlreadyAMember(customer, active_membership_of(customer)) from None


@transaction.atomic
def membership_add_member(*, account, customer, actor):
    account = MembershipAccount.objects.select_for_update().get(pk=account.pk)
    refuse_unseen(
        actor, account.customer_id, customer.pk,
        message="No such membership or customer in your stores.",
    )  # fmt: skip
    if not account.is_active:
        raise MembershipError("This membership has expired: members cannot be added.")
    refuse_if_a_member(customer)
    seat(account, customer, is_holder=False)
    audit.record(
        user=actor, action=audit.Action.UPDATE, obj=account, summary=f"Added member {customer}",
        customer=customer,
    )  # fmt: skip


@transaction.atomic
def membership_remove_member(*, account, customer, actor):
    refuse_unseen(actor, account.customer_id)
    removed, _ = MembershipSeat.objects.filter(
        account=account, customer=customer, is_holder=False
    ).delete()
    if removed:
        audit.record(
            user=actor,
            action=audit.Action.UPDATE,
            obj=account,
            summary=f"Removed member {customer}",
            customer=customer,
        )


class MembershipAllowance(ledgers.MoneyLedger):
    """A membership's allowance: charges and refunds need an active account, a charge
    never takes more than is left, and a refund gives back at most what this period
    charged."""

    account_model = MembershipAccount
    entry_model = MembershipEntry

    def refuse(self, account, change, *, kind, **entry_fields):
        spending = kind in (MembershipEntry.Kind.CHARGE, MembershipEntry.Kind.REFUND)
        if spending and not account.is_active:
            raise MembershipError(f"This membership expired on {account.expiry_date}.")
        balance = account.balance + change
        if balance < ZERO:
            raise MembershipError(
                f"This charge of {format_money(-change)} is more than the allowance left, "
                f"{format_money(account.balance)}."
            )
        if kind == MembershipEntry.Kind.REFUND and balance > (
            allowance := period_allowance(account)
        ):
            raise MembershipError(
                f"A refund gives back at most what was charged this period: "
                f"{format_money(allowance - account.balance)} (the allowance is "
                f"{format_money(allowance)}, {format_money(account.balance)} is left)."
            )

    def detail(self, entry):
        return f": {entry.note}" if entry.note else ""


MEMBERSHIP_ALLOWANCE = MembershipAllowance()


def membership_post(*, account, kind, amount, store, note, actor, token=None):
    """Add ``amount`` to the balance of ``account`` (a charge is negative); the one writer
    of a membership balance (``backoffice.ledgers.post``): concurrent charges apply one
    after the other, and a charge beyond the balance left is refused, whatever else was
    charged meanwhile. A form ``token`` seen before raises ``AlreadyRecorded``. Refused
    (``OutOfScope``) for a membership whose holder ``actor`` may not see."""
    refuse_unseen(actor, account.customer_id)
    return ledgers.post(
        MEMBERSHIP_ALLOWANCE, account=account, change=cents(amount), user=actor, token=token,
        kind=kind, store=store, note=note,
    )  # fmt: skip


def period_allowance(account):
    """The balance the current period began with: its opening or renewal entry's."""
    starts = [MembershipEntry.Kind.OPENING, MembershipEntry.Kind.RENEWAL]
    start = (
        account.entries.filter(kind__in=starts)
        .order_by("-created_at", "-pk")
        .values_list("balance_after", flat=True)
        .first()
    )
    return start if start is not None else ZERO


def membership_charge(*, account, amount, store, note, actor, token=None):
    return membership_post(
        account=account, kind=MembershipEntry.Kind.CHARGE, amount=-amount, store=store,
        note=note, actor=actor, token=token,
    )  # fmt: skip


def membership_refund(*, account, amount, store, note, actor, token=None):
    return membership_post(
        account=account, kind=MembershipEntry.Kind.REFUND, amount=amount, store=store,
        note=note, actor=actor, token=token,
    )  # fmt: skip


def renew_memberships(today=None):
    """Renew the auto-renewing accounts whose period has ended, and mark the others
    expired. Idempotent: an account is renewed once per period, however often this runs
    (each renewal moves its expiry date past today). Returns (renewed, expired) counts."""
    today = today or timezone.localdate()
    due = MembershipAccount.objects.filter(status=MembershipAccount.Status.ACTIVE).filter(
        expiry_date__lt=today
    )
    renewed = expired = 0
    for pk, auto_renew in due.values_list("pk", "plan__auto_renew").iterator():
        if auto_renew:
            renewed += membership_renew(pk, today)
        else:
            expired += membership_expire(pk, today)
    return renewed, expired


@transaction.atomic
def membership_renew(pk, today):
    account = MembershipAccount.objects.select_for_update().select_related("plan").get(pk=pk)
    if account.expiry_date >= today or not account.is_active:
        return 0  # renewed by another run meanwhile
    period, periods, expiry = Period(account.plan.period), 1, account.expiry_date
    while expiry < today:  # periods missed while nothing ran are skipped, not stacked
        periods += 1
        expiry = period.end(account.issue_date, periods)
    MembershipAccount.objects.filter(pk=pk).update(expiry_date=expiry)
    membership_post(
        account=account,
        kind=MembershipEntry.Kind.RENEWAL,
        amount=account.plan.allowance - account.balance,
        store=None,
        note=f"Renewed until {expiry:%Y-%m-%d}",
        actor=audit.Actor("Renewals (renew_memberships)"),
    )
    return 1


@transaction.atomic
def membership_expire(pk, today):
    account = MembershipAccount.objects.select_for_update().get(pk=pk)
    if account.expiry_date >= today or not account.is_active:
        return 0
    MembershipAccount.objects.filter(pk=pk).update(
        status=MembershipAccount.Status.EXPIRED, version=F("version") + 1
    )
    MembershipSeat.objects.filter(account=account).update(active=False)
    audit.record(
        user=None,
        action=audit.Action.UPDATE,
        obj=account,
        summary=f"Expired on {account.expiry_date:%Y-%m-%d}",
        changes={"status": ["active", "expired"]},
    )
    return 1


def account_snapshot(account):
    return audit.snapshot(
        account, ["customer", "plan", "card_number", "description", "issue_date", "expiry_date"]
    )


def remove_for_purge(customers):
    """The seats of customers being purged, and the accounts they hold (none with money
    left: that refuses the purge) with their members' seats and their ledgers."""
    held = MembershipAccount.objects.filter(customer__in=customers)
    MembershipSeat.objects.filter(Q(customer__in=customers) | Q(account__in=held)).delete()
    MembershipEntry.objects.filter(account__in=held).delete()
    held.delete()
