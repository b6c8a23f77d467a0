"""Counts of live customers, kept in step with every write (``CustomerTally``).

The list's tiles and its unfiltered count read a few dozen tally rows instead of counting a
million customers on every request. A write that changes what a customer counts as (created,
deleted, restored, its type, stores or loyalty enrolment) runs inside ``recounted(ids)``:
the customers are tallied before and after, and the difference is added to the tally rows
in the same transaction, so the counts are exact whenever the write is committed. Bulk
loaders that know what they wrote add it with ``add`` directly.

Months are calendar months in ``settings.TIME_ZONE``: after changing it, run
``python manage.py check_customer_tallies --repair``.
"""

from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections, transaction
from django.db.models import Count, DateField, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from .models import Customer, CustomerTally

KEY = ("store_id", "customer_type", "loyalty_enrolled", "created_month")
# The tally changes gathered by ``added_together``, when a block of it is running.
_gathered = ContextVar("gathered_tally_changes", default=None)


def month_of(moment):
    """The tally month of a creation time: the first day of its local calendar month."""
    return timezone.localtime(moment).date().replace(day=1)


def tally(customers):
    """A ``Counter`` of tally keys for the live customers among ``customers`` (a queryset):
    the chain's rows and one row per store each customer belongs to."""
    grouped = customers.values(
        "customer_type",
        loyalty_enrolled=Coalesce("loyalty_account__enrolled", Value(False)),
        created_month=TruncMonth("created_at", output_field=DateField()),
    )
    counts = Counter()
    for row in grouped.annotate(store_id=Value(CustomerTally.CHAIN), n=Count("pk")):
        counts[key_of(row)] += row["n"]
    per_store = grouped.annotate(store_id=F("stores")).filter(store_id__isnull=False)
    for row in per_store.annotate(n=Count("pk")):
        counts[key_of(row)] += row["n"]
    return counts


def key_of(row):
    return tuple(row[name] for name in KEY)


@contextmanager
def recounted(customer_ids=()):
    """Keep the tallies right through the writes in the block.

    Yields the set of watched customer ids: a block that creates customers adds their ids
    to it. An empty set costs nothing, so a caller may watch only when a count may change.
    """
    watched = set(customer_ids)
    before = tally(Customer.objects.filter(pk__in=watched)) if watched else Counter()
    yield watched
    if watched:
        after = tally(Customer.objects.filter(pk__in=watched))
        add({key: after[key] - before[key] for key in before.keys() | after.keys()})


@contextmanager
def added_together():
    """Gather the tally changes of the writes in the block, and add them once at its end.

    Each ``add`` locks its rows in key order, but a transaction making several (a customer's
    save adds its stores' change, then its loyalty's; an import's batch, one per customer
    it updates) would hold the rows of its earlier adds while taking the next: two such
    transactions could take the same rows in opposite orders and deadlock. Added together,
    a transaction takes them all in one order. A block inside another joins the outer one,
    and takes its changes back out if it fails (its savepoint is rolled back).
    """
    if (outer := _gathered.get()) is not None:
        before = outer.copy()
        try:
            yield
        except BaseException:
            outer.clear()
            outer.update(before)
            raise
        return
    changes = Counter()
    token = _gathered.set(changes)
    try:
        yield
    finally:
        _gathered.reset(token)
    add(changes)


def add(changes):
    """Add ``{key: change}`` to the tally rows, creating missing ones, in one statement per
    row; inside ``added_together``, at the end of its block. Keys are applied in order, so
    that concurrent writers lock rows in the same order and cannot deadlock. An upsert,
    because two transactions may create the same row."""
    if (gathered := _gathered.get()) is not None:
        gathered.update(changes)
        return
    rows = [(*key, change) for key, change in sorted(changes.items()) if change]
    if not rows:
        return
    connection = connections[CustomerTally.objects.db]
    quote = connection.ops.quote_name
    table = quote(CustomerTally._meta.db_table)
    columns = ", ".join(quote(name) for name in (*KEY, "count"))
    key_columns = ", ".join(quote(name) for name in KEY)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s) "
            f"ON CONFLICT ({key_columns}) DO UPDATE "
            f"SET {quote('count')} = {table}.{quote('count')} + excluded.{quote('count')}",
            rows,
        )


def tally_rows(counted, model=CustomerTally):
    """Tally rows (unsaved) holding a ``Counter`` of keys; ``model`` may be a migration's."""
    return [
        model(**dict(zip(KEY, key, strict=True)), count=count) for key, count in counted.items()
    ]


def tile_counts(store=None):
    """The tiles' counts for one store, or for the whole chain, from the tally rows."""
    rows = CustomerTally.objects.filter(store_id=store.pk if store else CustomerTally.CHAIN)
    return rows.aggregate(
        total=Sum("count", default=0),
        new_this_month=Sum("count", filter=Q(created_month=month_of(timezone.now())), default=0),
        loyalty_members=Sum("count", filter=Q(loyalty_enrolled=True), default=0),
        business=Sum("count", filter=Q(customer_type=Customer.Type.BUSINESS), default=0),
    )


def differences():
    """``{key: (tallied, counted)}`` for every tally row that is not the true count."""
    counted = tally(Customer.objects.all())
    tallied = {key_of(row): row["count"] for row in CustomerTally.objects.values(*KEY, "count")}
    return {
        key: (tallied.get(key, 0), counted.get(key, 0))
        for key in tallied.keys() | counted.keys()
        if tallied.get(key, 0) != counted.get(key, 0)
    }


@transaction.atomic
def rebuild():
    """Recount every tally row from the customers.

    The tally table is locked first (on PostgreSQL; SQLite has one writer at a time), so a
    write committing meanwhile waits to add its change on top of the new counts instead of
    being lost or counted twice.
    """
    connection = connections[CustomerTally.objects.db]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(CustomerTally._meta.db_table)
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
    counted = tally(Customer.objects.all())
    CustomerTally.objects.all().delete()
    CustomerTally.objects.bulk_create(tally_rows(counted))
    return sum(count for key, count in counted.items() if key[0] == CustomerTally.CHAIN)
