"""Writing checked rows: new customers in bulk, a batch at a time, all or nothing per
batch; matched customers through the customer form's own service."""

from collections import Counter

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backoffice import audit
from customers import tallies
from customers.consent import consent_changes
from customers.models import ConsentEvent, ConsentSource, Customer, CustomerTally
from customers.services import customer_save
from loyalty.models import Reason
from loyalty.services import open_accounts
from stores.actors import person

from .models import CustomerImport

BATCH_SIZE = 1000


@transaction.atomic
@tallies.added_together()  # a batch's updates add theirs in one go: parts cannot deadlock
def write_batch(rows, *, actor, source, guard=None):
    """Create the batch's new customers with their stores, loyalty accounts (balances as
    "import" ledger entries) and audit events, in bulk; update the matched ones. Returns
    (created, updated). ``guard()``, called first in the same transaction, may refuse the
    batch by raising."""
    if guard:
        guard()
    creating = [row for row in rows if row.action == "create"]
    updating = [row for row in rows if row.action == "update"]
    now = timezone.now()
    customers = []
    for row in creating:
        customer = row.values["customer"]
        customer.created_by = customer.updated_by = person(actor)
        customer.sort_name = customer.company_name if customer.is_business else customer.last_name
        enrolled = row.values["loyalty_enrolled"]
        customer.loyalty_points = (row.values["loyalty_balance"] or 0) if enrolled else None
        customers.append(customer)
    consented = [
        event
        for customer in customers
        for event in consent_changes(customer, {}, source=ConsentSource.IMPORT, user=actor, now=now)
    ]
    Customer.objects.bulk_create(customers)
    ConsentEvent.objects.bulk_create(consented)
    Link = Customer.stores.through
    Link.objects.bulk_create(
        Link(customer_id=customer.pk, store_id=store_id)
        for customer, row in zip(customers, creating, strict=True)
        for store_id in row.values["stores"]
    )
    opened = [
        (customer, row.values["loyalty_enrolled"], row.values["loyalty_balance"] or 0)
        for customer, row in zip(customers, creating, strict=True)
        if row.values["loyalty_enrolled"] or row.values["loyalty_balance"]
    ]
    open_accounts(
        [(customer.pk, points, now) for customer, _, points in opened],
        reason=Reason.IMPORT,
        actor=actor,
        outside={customer.pk for customer, enrolled, _ in opened if not enrolled},
    )
    # Counted from what was written, as the seed does: recounting the new rows in the
    # database is two joins per batch, which stale planner statistics made read every
    # customer written before (quadratic over a million rows).
    tallies.add(
        Counter(
            (store_id, customer.customer_type, bool(row.values["loyalty_enrolled"]),
             tallies.month_of(customer.created_at))
            for customer, row in zip(customers, creating, strict=True)
            for store_id in (CustomerTally.CHAIN, *row.values["stores"])
        )
    )  # fmt: skip
    audit.record_many(
        user=actor, action=audit.Action.CREATE, objects=customers, summary=f"Imported from {source}"
    )
    for row in updating:
        customer_save(
            customer=row.values["customer"],
            stores=row.values["stores"],
            actor=actor,
            loyalty_enrolled=row.values["loyalty_enrolled"],
            loyalty_balance=row.values["loyalty_balance"],
            loyalty_reason=Reason.IMPORT,
            consent_source=ConsentSource.IMPORT,
        )
    return len(customers), len(updating)


def remove_expired_uploads():
    """Remove the files of imports asked for more than ``JOB_FILES_KEPT_FOR`` ago and not
    running (a day to fetch an error report, or to press Import); the findings stay.
    Returns how many were removed."""
    expired = (
        CustomerImport.objects.filter(created_at__lt=timezone.now() - settings.JOB_FILES_KEPT_FOR)
        .exclude(file="")
        .exclude(status__in=CustomerImport.RUNNING)
    )
    for job in expired:
        job.remove_file()
    return len(expired)


PURGED = "(purged)"


def redact_for_purge(customers):
    """The names, emails and phone numbers of purged customers, where imports' findings
    keep them (the first rows to create, update and skip; the errors' values; the file's
    first rows shown beside its columns), replaced by "(purged)". The uploaded files go
    within ``JOB_FILES_KEPT_FOR`` anyway."""
    needles = {
        text.lower()
        for customer in customers
        for text in (
            customer.email, f"{customer.first_name} {customer.last_name}".strip(),
            customer.company_name, str(customer.phone or ""),
        )
        if text
    }  # fmt: skip

    names = {
        (customer.first_name.lower(), customer.last_name.lower())
        for customer in customers
        if customer.first_name and customer.last_name
    }

    def mentions(value):
        return any(needle in str(value).lower() for needle in needles)

    def row_mentions(cells):
        """Whether a file's row is one of theirs: any cell naming them, or their first
        and last names in two cells."""
        lowered = {cell.strip().lower() for cell in cells}
        return any(map(mentions, cells)) or any(pair <= lowered for pair in map(set, names))

    redacted = []
    for job in CustomerImport.objects.only("pk", "samples", "errors", "examples").iterator():
        examples = [
            [PURGED] * len(cells) if row_mentions(cells) else cells for cells in job.examples
        ]
        samples = {
            action: [[line, PURGED, ""] if mentions(name) or mentions(email) else
                     [line, name, email] for line, name, email in rows]
            for action, rows in job.samples.items()
        }  # fmt: skip
        errors = [
            [line, column, PURGED, message] if mentions(value) else [line, column, value, message]
            for line, column, value, message in job.errors
        ]
        if (samples, errors, examples) != (job.samples, job.errors, job.examples):
            job.samples, job.errors, job.examples = samples, errors, examples
            redacted.append(job)
    CustomerImport.objects.bulk_update(redacted, ["samples", "errors", "examples"])
