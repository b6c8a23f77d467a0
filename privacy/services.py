"""Data requests, erasure and retention: what the back office does when a customer asks
"what do you hold on me?" or "delete me", and what it stops keeping on its own.

Erasure anonymises the customer and keeps every number: ledgers, sales, visits and totals,
memberships and house account balances stay, so every total, tile and ``check_balances``
reads the same after it. It is refused while a house account owes or holds money.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from backoffice import audit
from backoffice.money import format_money
from customers import extensions
from customers.consent import consent_changes
from customers.models import Consent, ConsentEvent, ConsentSource, Customer
from customers.services import customers_purge, delete_photo_file_on_commit
from house_accounts.models import HouseAccount
from stores.actors import OutOfScope

from .copies import Traces, redact_copies
from .data_request import write_zip

# Emptied by an erasure: the person, how to reach them, where they live, what staff wrote.
ERASED_FIELDS = {
    "tax_id": "", "website": "", "email": "", "phone": "", "gender": "",
    "date_of_birth": None, "nationality": "", "anniversary": None, "gate_code": "",
    "id_number": "", "notes": "", "photo": "", "address_line1": "", "address_line2": "",
    "city": "", "state": "", "zip_code": "", "country": "", "email_bounced_at": None,
}  # fmt: skip


class ErasureRefused(Exception):
    pass


def in_scope(customers, *, actor, customer):
    """``customer`` from ``customers`` (a queryset), if ``actor`` may see them; refused
    (``OutOfScope``) otherwise, so that no door reaches another store's customer."""
    found = customers.for_actor(actor).filter(pk=customer.pk).first()
    if found is None:
        raise OutOfScope("No such customer in your stores.")
    return found


def customer_data_request(*, customer, actor, out):
    """Write everything held on ``customer`` to ``out`` (a zip); an audit event says who
    asked for it. Refused (``OutOfScope``) for a customer ``actor`` may not see."""
    customer = in_scope(Customer.all_objects.all(), actor=actor, customer=customer)
    write_zip(customer, out)
    audit.record(
        user=actor,
        action=audit.Action.EXPORT,
        obj=customer,
        summary="Data request: everything held on the customer, downloaded",
    )


def masked(name):
    """ "Jane Doe" as "J*** D**": enough to tell erasures apart, not to find the person."""
    return re.sub(r"\w+", lambda word: word[0][0] + "*" * (len(word[0]) - 1), name)


@transaction.atomic
def customer_erase(*, customer, actor, now=None):
    """Anonymise ``customer`` for good (``ErasureRefused`` if a house account of theirs owes
    or holds money, or they were erased already): their name becomes "Erased customer
    #<id>", their personal data is emptied and their photo file deleted, their consent is
    withdrawn, and what the audit trail and the ledgers' notes held about them is redacted.
    The audit event says who erased whom, the name masked. Refused (``OutOfScope``) for a
    customer ``actor`` may not see."""
    now = now or timezone.now()
    locked = in_scope(Customer.all_objects.select_for_update(), actor=actor, customer=customer)
    if locked.erased_at is not None:
        raise ErasureRefused(f"{locked} was erased on {locked.erased_at:%Y-%m-%d} already.")
    if reasons := money_held(locked):
        raise ErasureRefused(" ".join(reasons) + " Settle it first: nothing was erased.")
    was_named = masked(locked.display_name)
    traces = Traces.of(locked)
    photo = locked.photo.name
    before = {
        f"{channel}_consent": getattr(locked, f"{channel}_consent") for channel in ("email", "sms")
    }

    audit.redact_history(model=Customer, pks=[locked.pk], when="erased")
    redact_copies(locked, traces)
    for name, value in ERASED_FIELDS.items():
        setattr(locked, name, value)
    locked.first_name, locked.last_name = "Erased", f"customer #{locked.pk}"
    if locked.is_business:
        locked.company_name = f"Erased customer #{locked.pk}"
    else:
        locked.company_name = ""
    locked.email_consent = locked.sms_consent = Consent.UNSUBSCRIBED
    consented = consent_changes(locked, before, source=ConsentSource.ERASURE, user=actor, now=now)
    locked.erased_at = now
    locked.updated_by = actor if actor is not None and actor.is_authenticated else None
    locked.version = F("version") + 1
    locked.save()
    ConsentEvent.objects.bulk_create(consented)
    if photo:
        delete_photo_file_on_commit(photo)
    audit.record(user=actor, action=audit.Action.ERASE, obj=locked, summary=f"Erased {was_named}")
    return locked


def money_held(customer, *, lock=True):
    """Why ``customer`` may not be erased yet: each house account owing or holding money
    (``lock``: locked until the erasure's transaction ends; a page only shows them)."""
    accounts = HouseAccount.objects.filter(customer=customer).exclude(balance=0)
    if lock:
        accounts = accounts.select_for_update()
    return [
        f"House account {account.account_number} "
        f"{'owes' if account.balance > 0 else 'holds'} {format_money(abs(account.balance))}."
        for account in accounts
    ]


RETENTION_BATCH = 500


@dataclass
class Retention:
    """What ``apply_retention`` did, or would do."""

    purged: int = 0
    erased: int = 0
    kept: list = field(default_factory=list)  # why some were not purged or erased


def apply_retention(*, dry_run=False, now=None):
    """Purge the customers deleted more than ``DELETED_CUSTOMERS_KEPT_DAYS`` ago, and erase,
    when ``INACTIVE_CUSTOMERS_ERASED_AFTER_DAYS`` is set, the live customers with no sale
    and no change for that long. A customer holding money is kept, and said why. Each batch
    is its own transaction; running it again does only what is left."""
    now = now or timezone.now()
    actor = audit.Actor("Retention (apply_retention)")
    done = Retention()
    deleted_before = now - datetime.timedelta(days=settings.DELETED_CUSTOMERS_KEPT_DAYS)
    expired = Customer.all_objects.filter(deleted_at__lt=deleted_before).order_by("pk")
    for batch in batches(expired):
        refused = extensions.warnings_for(batch)
        purgeable = [customer for customer in batch if customer.pk not in refused]
        done.kept += [f"{customer} (#{customer.pk}): {' '.join(refused[customer.pk])}"
                      for customer in batch if customer.pk in refused]  # fmt: skip
        if purgeable and not dry_run:
            customers_purge(customers=purgeable, actor=actor)
        done.purged += len(purgeable)
    if (days := settings.INACTIVE_CUSTOMERS_ERASED_AFTER_DAYS) is None:
        return done
    inactive_since = now - datetime.timedelta(days=days)
    inactive = Customer.objects.filter(
        Q(last_sale_at__isnull=True) | Q(last_sale_at__lt=inactive_since),
        updated_at__lt=inactive_since,
        erased_at__isnull=True,
    ).order_by("pk")
    for batch in batches(inactive):
        for customer in batch:
            reasons = money_held(customer)
            if reasons:
                done.kept.append(f"{customer} (#{customer.pk}): {' '.join(reasons)}")
                continue
            if not dry_run:
                customer_erase(customer=customer, actor=actor, now=now)
            done.erased += 1
    return done


def batches(customers):
    """``customers`` (ordered by pk) a batch at a time, by keyset: a batch purged or erased
    meanwhile does not shift the next."""
    last = 0
    while batch := list(customers.filter(pk__gt=last)[:RETENTION_BATCH]):
        yield batch
        last = batch[-1].pk


def customer_by_email_or_id(text):
    """The customer, live or deleted, whose id or email ``text`` is (for ops' commands);
    ``LookupError`` says why none is chosen."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        found = list(Customer.all_objects.filter(pk=int(text)))
    else:
        found = list(Customer.all_objects.with_email(text).order_by("deleted_at", "pk")[:3])
    if not found:
        raise LookupError(f"No customer has the id or email {text!r}.")
    if len(found) > 1:
        ids = ", ".join(str(customer.pk) for customer in found)
        raise LookupError(
            f"Several customers (deleted ones among them) have {text!r}: use the id ({ids})."
        )
    return found[0]
