"""Every write of a loyalty balance, and of the enrolment and card beside it.

A balance moves only through ``backoffice.ledgers.post`` with ``LOYALTY_POINTS`` (staff's
adjustments by ``loyalty_adjust``), which locks the account row, refuses to go below zero,
and writes the ledger entry, the customer's copy of the balance (which the customer list
sorts by) and an audit event in the same transaction. The model refuses any other change
of the balance.
"""

from django.db import transaction
from django.utils import timezone

from backoffice import audit, bulk, ledgers
from customers.models import Customer
from customers.scope import refuse_unseen, restrict
from customers.tallies import recounted
from stores.actors import person

from . import codes
from .models import (
    MAX_POINTS,
    REASONS_NEEDING_A_NOTE,
    LoyaltyAccount,
    LoyaltyCard,
    LoyaltyCardBatch,
    LoyaltyLedgerEntry,
    Reason,
)


class LoyaltyError(Exception):
    """An adjustment that cannot be made; the message says why, for the person who tried."""


class BalanceTooLow(LoyaltyError):
    def __init__(self, account, delta):
        super().__init__(
            f"This would take the balance below zero: it is {account.balance} points, so at "
            f"most {account.balance} can be taken off (not {-delta})."
        )
        self.account = account


class BalanceTooHigh(LoyaltyError):
    def __init__(self, account, delta):
        super().__init__(
            f"This would take the balance past {MAX_POINTS:,} points, the most an account "
            f"holds: it is {account.balance:,} points, so at most "
            f"{MAX_POINTS - account.balance:,} can be added (not {delta:,})."
        )


class NotEnrolled(LoyaltyError):
    def __init__(self):
        super().__init__(
            "This customer is not enrolled in the loyalty programme: enrol them first. The "
            "balance kept from before is shown greyed out and cannot be adjusted."
        )


class StaleBalance(LoyaltyError):
    """The balance changed after the form showing it was loaded."""

    def __init__(self, account):
        super().__init__(
            f"The balance changed to {account.balance} points while you were editing, so "
            "the balance you typed was not applied. The field now shows the current balance: "
            "change it again if it still needs changing."
        )
        self.account = account


class CardError(LoyaltyError):
    pass


def locked_account(customer):
    """The customer's account, created when missing, locked until the transaction ends."""
    account, _ = LoyaltyAccount.objects.select_for_update().get_or_create(customer=customer)
    return account


REASONS = frozenset(Reason.values)  # the enum computes its values at each call


class LoyaltyPoints(ledgers.Ledger):
    """A customer's points: staff adjust them for one of the reasons, with a note where
    the reason needs one, only while the customer is enrolled, and never below zero or
    past ``MAX_POINTS``. The system's own entries (enrolment and leaving, which move no
    points) pass. Each adjustment updates the customer's copy of the balance, which the
    customer list sorts by, and is an audit event about the customer."""

    account_model = LoyaltyAccount
    entry_model = LoyaltyLedgerEntry
    change_field = "delta"
    touched_fields = {"updated_at": timezone.now}

    def refuse(self, account, change, *, reason, note):
        if reason in (Reason.ENROLLED, Reason.LEFT):
            return
        if reason not in REASONS:
            raise LoyaltyError(f"“{reason}” is not a loyalty reason.")
        if reason in REASONS_NEEDING_A_NOTE and not note.strip():
            raise LoyaltyError(f"A note is required for the reason “{Reason(reason).label}”.")
        if not account.enrolled:
            raise NotEnrolled
        if account.balance + change < 0:
            raise BalanceTooLow(account, change)
        if account.balance + change > MAX_POINTS:
            raise BalanceTooHigh(account, change)

    def show_balance(self, account, balance):
        account.balance = account._stored_balance = balance  # the model's guard: not a save

    def recorded(self, entry, *, balance_before, user):
        if not entry.delta:
            return
        customer_id = entry.account.customer_id
        Customer.all_objects.filter(pk=customer_id).update(loyalty_points=entry.balance_after)
        audit.record(
            user=user,
            action=audit.Action.LOYALTY,
            obj=Customer.all_objects.get(pk=customer_id),
            summary=adjustment_summary(entry.delta, entry.reason, entry.note),
            changes={"loyalty_balance": [balance_before, entry.balance_after]},
        )


LOYALTY_POINTS = LoyaltyPoints()


def loyalty_adjust(*, account, delta, reason, note, actor):
    """Add ``delta`` points (negative: take them off) for ``reason``; the one writer of a
    balance (``backoffice.ledgers.post``, a transaction of its own).

    Concurrent adjustments apply one after the other, each seeing the balance the previous
    one left. Refused (nothing written) when the customer is not enrolled, when the balance
    would go below zero, or when the reason needs a note and has none. Returns the entry
    written (None for a delta of 0, which is checked all the same). Refused
    (``OutOfScope``) for a customer ``actor`` may not see.
    """
    refuse_unseen(actor, account.customer_id)
    note = note[: LoyaltyLedgerEntry._meta.get_field("note").max_length]
    if not delta:
        with transaction.atomic():
            locked = LoyaltyAccount.objects.select_for_update().get(pk=account.pk)
            LOYALTY_POINTS.refuse(locked, 0, reason=reason, note=note)
        return None
    return ledgers.post(
        LOYALTY_POINTS, account=account, change=delta, user=actor, reason=reason, note=note
    )


def adjustment_summary(delta, reason, note):
    summary = f"{delta:+d} points ({Reason(reason).label}"
    return f"{summary}: {note})" if note else f"{summary})"


@transaction.atomic
def loyalty_enrol(*, customer, enrolled, actor):
    """Enrol a customer, or take them out of the programme. Leaving keeps the balance and
    the ledger (no adjustments are allowed meanwhile); enrolling again brings them back.
    Both are ledger entries moving no points, and audit events. Refused (``OutOfScope``)
    for a customer ``actor`` may not see."""
    refuse_unseen(actor, customer.pk)
    account = locked_account(customer)
    if account.enrolled == enrolled:
        return account
    with recounted([customer.pk]):
        LoyaltyAccount.objects.filter(pk=account.pk).update(enrolled=enrolled)
        account.enrolled = enrolled
    ledgers.post(
        LOYALTY_POINTS,
        account=account,
        change=0,
        user=actor,
        reason=Reason.ENROLLED if enrolled else Reason.LEFT,
        note="",
    )
    # The customer list sorts by a copy of the points, empty outside the programme.
    points = account.balance if enrolled else None
    Customer.all_objects.filter(pk=customer.pk).update(loyalty_points=points)
    customer.loyalty_points = points
    audit.record(
        user=actor,
        action=audit.Action.LOYALTY,
        obj=customer,
        summary="Enrolled in the loyalty programme" if enrolled else "Left the loyalty programme",
        changes={"loyalty_enrolled": [not enrolled, enrolled]},
    )
    return account


@transaction.atomic
def loyalty_update(*, customer, enrolled, balance, reason, note="", actor, expected_version=None):
    """The customer form's loyalty section: the enrolment, and a balance typed as a total,
    recorded as one adjustment of the difference.

    ``balance`` None leaves the balance as it is. With ``expected_version`` (the version the
    form was loaded with) a balance that changed meanwhile is not overwritten:
    ``StaleBalance`` is raised and nothing is written. A ``reason`` that is not one of the
    reasons (tools that predate the list post free text) is recorded as "other", with the
    text as the note. Refused (``OutOfScope``) for a customer ``actor`` may not see.
    """
    refuse_unseen(actor, customer.pk)
    if not enrolled:
        balance = None  # kept as it is, greyed out, while out of the programme
    account = locked_account(customer)
    if balance is not None and expected_version not in (None, account.version):
        raise StaleBalance(account)
    if enrolled:
        account = loyalty_enrol(customer=customer, enrolled=True, actor=actor)
    if balance is not None and balance != account.balance:
        if reason not in REASONS:
            reason, note = Reason.OTHER, note or reason
        loyalty_adjust(
            account=account,
            delta=balance - account.balance,
            reason=reason,
            note=note,
            actor=actor,
        )
    if not enrolled:
        account = loyalty_enrol(customer=customer, enrolled=False, actor=actor)
    account.refresh_from_db()
    return account


@transaction.atomic
def open_accounts(rows, *, reason, actor=None, outside=frozenset()):
    """Enrol new customers with opening balances, in bulk: ``rows`` are (customer id,
    points, when). Each gets an account and, for points, a ledger entry of them, written
    with the database's bulk loader (the seed and imports write thousands at once). The
    customers whose ids are in ``outside`` keep their points outside the programme, as
    those who left it do (a file of customers who had left it)."""
    now = timezone.now()
    account_ids = bulk.reserve_ids(LoyaltyAccount, len(rows))
    bulk.insert_rows(
        LoyaltyAccount,
        [
            {"id": pk, "customer_id": customer_id, "enrolled": customer_id not in outside,
             "balance": points, "version": 1 if points else 0, "updated_at": now}
            for pk, (customer_id, points, _) in zip(account_ids, rows, strict=True)
        ],
    )  # fmt: skip
    opened = [
        (account_id, points, when)
        for account_id, (_, points, when) in zip(account_ids, rows, strict=True)
        if points
    ]
    bulk.insert_rows(
        LoyaltyLedgerEntry,
        [
            {"id": pk, "account_id": account_id, "delta": points, "balance_after": points,
             "reason": reason, "note": "", "created_by_id": getattr(person(actor), "pk", None),
             "created_at": when}
            for pk, (account_id, points, when) in zip(
                bulk.reserve_ids(LoyaltyLedgerEntry, len(opened)), opened, strict=True
            )
        ],
    )  # fmt: skip


@transaction.atomic
def loyalty_post_in_bulk(changes, *, customers=None):
    """Post many changes at once, for bulk loaders (the demo's sales): ``changes`` are
    (account id, delta, reason, note, when), each account's in the order they happened.
    The accounts are locked and every change is checked as ``loyalty_adjust`` checks it,
    before anything is written; then the entries, the balances and the customers' copies
    are written by the bulk loader. There is no audit event per change: the loader
    accounts for what it loaded. Returns {account id: balance after}.

    ``customers`` ({customer id: {field: value}}, the same fields for each) are other
    fields the loader writes to customers: they go in the same UPDATE as the copies of
    the balances, since each write of a customer's row indexes it again."""
    accounts = LoyaltyAccount.objects.select_for_update().in_bulk(
        {account_id for account_id, *_ in changes}
    )
    entries = []
    for account_id, delta, reason, note, when in changes:
        account = accounts[account_id]
        LOYALTY_POINTS.refuse(account, delta, reason=reason, note=note)
        LOYALTY_POINTS.show_balance(account, account.balance + delta)
        account.version += 1
        entries.append(
            {"account_id": account_id, "delta": delta, "balance_after": account.balance,
             "reason": reason, "note": note, "created_by_id": None, "created_at": when}
        )  # fmt: skip
    bulk.insert_rows(LoyaltyLedgerEntry, entries)
    moved = [accounts[pk] for pk in {entry["account_id"] for entry in entries}]
    now = timezone.now()
    bulk.update_rows(
        LoyaltyAccount,
        [{"id": a.pk, "balance": a.balance, "version": a.version, "updated_at": now}
         for a in moved],
        ["balance", "version", "updated_at"],
    )  # fmt: skip
    customers = customers or {}
    fields = list(next(iter(customers.values()), {}))
    bulk.update_rows(
        Customer,
        [
            {"id": a.customer_id, "loyalty_points": a.balance, **customers.get(a.customer_id, {})}
            for a in moved
        ],
        ["loyalty_points", *fields],
    )
    copied = {account.customer_id for account in moved}
    bulk.update_rows(
        Customer,
        [{"id": pk, **values} for pk, values in customers.items() if pk not in copied],
        fields,
    )
    return {account.pk: account.balance for account in accounts.values()}


@transaction.atomic
def card_assign(*, customer, code, actor):
    """Give ``customer`` the loyalty card ``code`` (normalised and checked by the form):
    refused when no card has it or another customer has it. A card the customer had before
    is freed. ``code`` "" takes the customer's card away. The customer's row is locked
    first: cards given to one customer at once are given one after the other, each
    replacing the one before. Refused (``OutOfScope``) for a customer ``actor`` may not
    see."""
    refuse_unseen(actor, customer.pk)
    Customer.all_objects.select_for_update().only("pk").get(pk=customer.pk)
    current = LoyaltyCard.objects.select_for_update().filter(customer=customer).first()
    if (current.code if current else "") == code:
        return current
    card = None
    if code:
        card = LoyaltyCard.objects.select_for_update().filter(code=code).first()
        if card is None:
            raise CardError(f"No loyalty card has the code {code}: check the card.")
        if card.customer_id is not None:
            # Named only to someone who may see them: a code is an exact key.
            holder = Customer.all_objects.filter(pk=card.customer_id)
            seen = restrict(holder, actor).first()
            raise CardError(f"The card {code} is already used by {seen or 'another customer'}.")
    if current:
        LoyaltyCard.objects.filter(pk=current.pk).update(customer=None, assigned_at=None)
    if card:
        card.customer, card.assigned_at = customer, timezone.now()
        card.save(update_fields=["customer", "assigned_at"])
    audit.record(
        user=actor,
        action=audit.Action.LOYALTY,
        obj=customer,
        summary=f"Loyalty card {code} assigned" if code else "Loyalty card taken away",
        changes={"loyalty_code": [current.code if current else "", code]},
    )
    return card


def unused_codes(count):
    """``count`` new codes that no card has yet."""
    found = set()
    while len(found) < count:
        fresh = {codes.new_code() for _ in range(count - len(found))} - found
        listed = sorted(fresh)
        for start in range(0, len(listed), 1000):
            chunk = listed[start : start + 1000]
            fresh -= set(LoyaltyCard.objects.filter(code__in=chunk).values_list("code", flat=True))
        found |= fresh
    return sorted(found)


@transaction.atomic
def card_batch_generate(*, size, actor):
    """A batch of ``size`` new loyalty card codes, to print and hand out."""
    batch = LoyaltyCardBatch.objects.create(size=size, created_by=person(actor))
    LoyaltyCard.objects.bulk_create(
        [LoyaltyCard(batch=batch, code=code) for code in unused_codes(size)], batch_size=1000
    )
    audit.record(
        user=actor,
        action=audit.Action.CREATE,
        obj=batch,
        summary=f"Generated {size} loyalty card codes",
    )
    return batch


def remove_for_purge(customers):
    """The loyalty accounts of customers being purged, with their ledgers; their cards
    stay, given to no one."""
    accounts = LoyaltyAccount.objects.filter(customer__in=customers)
    LoyaltyLedgerEntry.objects.filter(account__in=accounts).delete()
    accounts.delete()
