"""Every write of a house account: opening it, its settings, and its balance.

The balance (what the customer owes) moves only through ``house_account_post``, which locks
the account row and checks the account's limits against what is stored at that moment, so
that concurrent charges never go over a limit together; it writes the ledger entry and an
audit event in the same transaction.
"""

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from backoffice import audit, ledgers
from backoffice.filters import end_of_day, start_of_day
from backoffice.money import MAX_AMOUNT, ZERO, cents, format_money, past_the_limit
from backoffice.services import editable_fields
from customers.scope import refuse_unseen
from stores.actors import person

from .models import HouseAccount, HouseAccountEntry

Kind = HouseAccountEntry.Kind


class HouseAccountError(Exception):
    """A change that cannot be made; the message says why, for the person who tried."""


@transaction.atomic
def house_account_open(*, account, opening_balance, actor):
    """Open ``account`` (unsaved), owing ``opening_balance`` (an opening entry), for a
    customer ``actor`` may see."""
    refuse_unseen(actor, account.customer_id, message="No such house account in your stores.")
    account.created_by = person(actor)
    account.save()
    audit.record(
        user=actor,
        action=audit.Action.CREATE,
        obj=account,
        summary=f"Opened for {account.customer}",
        changes={name: [None, value] for name, value in snapshot(account).items() if value},
    )
    if opening_balance:
        house_account_post(
            account=account, kind=Kind.OPENING, amount=opening_balance, store=None,
            reference="", note="", actor=actor,
        )  # fmt: skip
    account.refresh_from_db()
    return account


@transaction.atomic
def house_account_update(*, account, actor, expected_version):
    """Save the changed settings of ``account``, unless it changed since the form was
    loaded (``expected_version``): then nothing is written."""
    stored = HouseAccount.objects.select_for_update().get(pk=account.pk)
    refuse_unseen(actor, stored.customer_id, message="No such house account in your stores.")
    if expected_version is not None and expected_version != stored.version:
        raise HouseAccountError(
            "This house account changed while you were editing (a charge, a payment or an "
            "edit), so your changes were not saved. The page shows it as it is now; make "
            "your changes again."
        )
    before, after = snapshot(stored), snapshot(account)
    changes = audit.changes_between(before, after)
    fields = [name for name in editable_fields(HouseAccount) if name in changes]
    if not fields:
        return
    account.version = stored.version + 1
    account.save(update_fields=[*fields, "version"])
    audit.record(
        user=actor,
        action=audit.Action.UPDATE,
        obj=account,
        summary=f"Changed {', '.join(audit.field_label(HouseAccount, name) for name in fields)}",
        changes=changes,
    )


@transaction.atomic
def house_account_delete(*, account, actor):
    account = HouseAccount.objects.select_for_update().get(pk=account.pk)
    refuse_unseen(actor, account.customer_id, message="No such house account in your stores.")
    if account.balance != ZERO:
        raise HouseAccountError(
            f"{account} was not deleted: its balance is {format_money(account.balance)}. "
            "Settle it first."
        )
    audit.record(user=actor, action=audit.Action.DELETE, obj=account, summary="Deleted")
    account.entries.all().delete()  # no ledger goes by a cascade: deleted here, at zero
    account.delete()


def remove_for_purge(customers):
    """The house accounts of customers being purged (all at zero: a balance refuses the
    purge), with their ledgers."""
    accounts = HouseAccount.objects.filter(customer__in=customers)
    HouseAccountEntry.objects.filter(account__in=accounts).delete()
    accounts.delete()


def left_this_period(account, *, store=None):
    """(what may still be charged in the current limit period, the day it began), or None
    without a period limit. The period is on ``store``'s clock (the store charging), else
    on the current time zone's."""
    if not account.period_limit_enabled:
        return None
    zone = store_zone(store)
    start = account.period_start(timezone.localdate(timezone=zone))
    return max(account.limit_amount - charged_since(account, start, zone=zone), ZERO), start


def charged_since(account, day, *, zone=None):
    """The charges since ``day`` began in ``zone`` (by default the current time zone)."""
    total = account.entries.filter(kind=Kind.CHARGE, created_at__gte=start_of_day(day, zone))
    return total.aggregate(total=Sum("amount"))["total"] or ZERO


def store_zone(store):
    """``store``'s time zone; without a store, the current one (``TIME_ZONE``)."""
    return store.zone if store is not None else timezone.get_current_timezone()


class HouseAccountBalance(ledgers.MoneyLedger):
    """What a house account owes: a charge within its limits, and a payment or refund
    below zero only for an account that allows credit."""

    account_model = HouseAccount
    entry_model = HouseAccountEntry

    def refuse(self, account, change, *, kind, **entry_fields):
        if kind == Kind.CHARGE:
            refuse_over_limits(account, change, store=entry_fields.get("store"))
        balance = account.balance + change
        if change < 0 and balance < ZERO and not account.allow_credit:
            raise HouseAccountError(
                f"This {Kind(kind).label.lower()} of {format_money(-change)} is more than is "
                f"owed ({format_money(account.balance)}), and this account does not allow "
                "credit."
            )
        if past_the_limit(balance):
            raise HouseAccountError(
                f"This would take the balance to {format_money(balance)}, past the most an "
                f"account can hold ({format_money(MAX_AMOUNT)})."
            )

    def detail(self, entry):
        return f", ref. {entry.reference}" if entry.reference else ""


HOUSE_ACCOUNT_BALANCE = HouseAccountBalance()


def house_account_post(*, account, kind, amount, store, reference, note, actor, token=None):
    """Record a charge (raising the balance), a payment or a refund (lowering it) of
    ``amount`` (positive); the one writer of a house account's balance
    (``backoffice.ledgers.post``).

    A charge over the account's max amount, or one that takes the charges of the current
    limit period over the limit, is refused with what is left; a payment or refund that
    takes the balance below zero is refused unless the account allows credit. A form
    ``token`` seen before raises ``AlreadyRecorded``. Refused (``OutOfScope``) for an
    account whose customer ``actor`` may not see.
    """
    refuse_unseen(actor, account.customer_id, message="No such house account in your stores.")
    amount = cents(amount)
    change = -amount if kind in (Kind.PAYMENT, Kind.REFUND) else amount
    return ledgers.post(
        HOUSE_ACCOUNT_BALANCE, account=account, change=change, user=actor, token=token,
        kind=kind, store=store, reference=reference, note=note,
    )  # fmt: skip


def refuse_over_limits(account, amount, *, store):
    if account.max_limit_enabled and amount > account.max_amount:
        raise HouseAccountError(
            f"A charge on this account can be at most {format_money(account.max_amount)}."
        )
    if account.period_limit_enabled:
        left, start = left_this_period(account, store=store)
        if amount > left:
            period = account.get_limit_period_display().lower()
            raise HouseAccountError(
                f"This charge would go over the {period} limit of "
                f"{format_money(account.limit_amount)}: {format_money(left)} is "
                f"left for the period that began on {start:%A %Y-%m-%d}."
            )


def house_account_charge(*, account, amount, store, reference, note, actor):
    return house_account_post(
        account=account, kind=Kind.CHARGE, amount=amount, store=store, reference=reference,
        note=note, actor=actor,
    )  # fmt: skip


def snapshot(account):
    return audit.snapshot(account, editable_fields(HouseAccount))


def statement(account, first_day, last_day, *, zone=None):
    """(opening balance, entries, closing balance) of ``account`` from ``first_day`` to
    ``last_day``, both included, as days in ``zone`` (by default the current time zone)."""
    start, end = start_of_day(first_day, zone), end_of_day(last_day, zone)
    before = account.entries.filter(created_at__lt=start).order_by("-created_at", "-pk")
    opening = before.values_list("balance_after", flat=True).first() or ZERO
    entries = list(
        account.entries.filter(created_at__gte=start, created_at__lt=end)
        .select_related("store", "created_by")
        .order_by("created_at", "pk")
    )
    closing = entries[-1].balance_after if entries else opening
    return opening, entries, closing
