"""One path for every balance: loyalty points, a membership's allowance, a house account.

A balance moves only by ``post``: the account's row is locked and read again, the account
kind's own rules may refuse the change, then the new balance and the next version are
written with the entry that explains them, and the kind records what happened (an audit
event, a copy of the balance elsewhere). All in the caller's transaction, so that a sale
posting to three ledgers at once writes all three or none.

An account kind is a ``Ledger``: its models, the entry's field that holds the change, and
two hooks, ``refuse`` (its rules: limits, allowance, not below zero) and ``recorded``.
"""

from django.db import transaction
from django.db.models import F

from . import audit


class Ledger:
    account_model = None
    entry_model = None
    change_field = "amount"  # the entry's field holding what was added to the balance
    # Account fields written with each change besides the balance and version:
    # {field: function() giving the value} (the time of the change, for one kind).
    touched_fields = {}

    def refuse(self, account, change, **entry_fields):
        """Raise the kind's error when ``change`` may not be posted to the locked
        ``account``; nothing is written then."""

    def show_balance(self, account, balance):
        """Give an account object in memory the balance just written."""
        account.balance = balance

    def recorded(self, entry, *, balance_before, user):
        """What the kind records once ``entry`` is written: its audit event and any copy
        of the balance kept elsewhere."""


class MoneyLedger(Ledger):
    """A ledger of money (``models.MoneyEntry``): each entry is an audit event about its
    account, "Charge USD 20.00 at Downtown" and the kind's ``detail``."""

    def detail(self, entry):
        return ""

    def recorded(self, entry, *, balance_before, user):
        audit.record_money_entry(
            entry=entry, user=user, balance_before=balance_before, detail=self.detail(entry)
        )


@transaction.atomic
def post(ledger, *, account, change, user, token=None, **entry_fields):
    """Add ``change`` to ``account``'s balance, as ``ledger``'s one writer of it. A form
    ``token`` seen before raises ``AlreadyRecorded`` (for entries that keep one). Returns
    the entry; ``account`` is left with the new balance and version."""
    locked = ledger.account_model.objects.select_for_update().get(pk=account.pk)
    if token:
        ledger.entry_model.refuse_repeat(token)
        entry_fields["token"] = token
    ledger.refuse(locked, change, **entry_fields)
    before = locked.balance
    balance = before + change
    touched = {name: value() for name, value in ledger.touched_fields.items()}
    ledger.account_model.objects.filter(pk=locked.pk).update(
        balance=balance, version=F("version") + 1, **touched
    )
    for target in {id(locked): locked, id(account): account}.values():
        ledger.show_balance(target, balance)
        target.version = locked.version + 1
        for name, value in touched.items():
            setattr(target, name, value)
    entry = ledger.entry_model.objects.create(
        account=locked,
        balance_after=balance,
        created_by=user if user and user.is_authenticated else None,
        **{ledger.change_field: change},
        **entry_fields,
    )
    ledger.recorded(entry, balance_before=before, user=user)
    return entry
