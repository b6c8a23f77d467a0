"""The audit trail: each service that changes data records what it did, where it does it.

Services call ``record`` (or ``record_many``) inside their own transaction, so an event
exists exactly when its change does. Values are stored as JSON-friendly text: dates in ISO
format, phone numbers in E.164, countries as codes, files as their stored names. The
pages show them in words (``changes_shown``): other code reads the stored values.
"""

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import DateTimeField, Field, FileField, Model, Q
from django.db.models.fields.files import FieldFile
from django.http import QueryDict
from django.template.defaultfilters import date as format_date
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_countries.fields import CountryField

from .models import AuditEvent
from .money import format_money

Action = AuditEvent.Action


class Actor:
    """A command or a job, named in the audit trail ("manage.py erase_customer"), acting
    where a person would (``stores.actors``). Ops run it for the whole chain, so it holds
    every permission and every store. Events name it; entries have no user."""

    is_authenticated = False

    def __init__(self, name):
        self.name = name

    def __str__(self):
        return self.name

    def has_perm(self, perm):
        return True


def record(*, user, action, obj, summary, changes=None, customer=None):
    """Write one event about ``obj``; ``customer`` is the customer it names, when that is
    not the object's own (``obj.customer_id``): a member added to someone's membership."""
    (event,) = record_many(
        user=user, action=action, objects=[obj], summary=summary, changes=changes,
        customer=customer,
    )  # fmt: skip
    return event


def record_many(*, user, action, objects, summary, changes=None, anonymous=False, customer=None):
    """Write the same event about each of ``objects`` (a bulk action), in one query.

    ``anonymous`` names each object by its type and id only, for an object whose personal
    data is going away (a purge). Each event remembers the customer it is about, besides
    its object (``customer``, else the object's ``customer_id``), so that a purge finds it.
    ``user`` may be an ``Actor``.
    """
    signed_in = user is not None and user.is_authenticated
    events = [
        AuditEvent(
            user=user if signed_in else None,
            user_name=user.get_username() if signed_in else str(user or "")[:150],
            action=action,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            object_repr=anonymous_name(obj) if anonymous else str(obj)[:200],
            summary=summary[:300],
            changes=changes or {},
            about_customer=customer.pk if customer else getattr(obj, "customer_id", None),
        )
        for obj in objects
    ]
    return AuditEvent.objects.bulk_create(events)


# What a list's query string carries besides its search and filters: the page it shows,
# and whether its rows were counted beyond a search's first ones.
LIST_MECHANICS = ("page", "count")


def record_export(*, user, title, query, rows, file_format):
    """The event of a list downloaded as a file, about the person who downloaded it: which
    list, with which search and filters (the list's query string), how many rows."""
    filters = ", ".join(
        f"{name} “{value}”"
        for name, value in QueryDict(query).items()
        if value and name not in LIST_MECHANICS
    )
    return record(
        user=user,
        action=Action.EXPORT,
        obj=user,
        summary=f"Exported {rows:,} row{'' if rows == 1 else 's'} of {title} as "
        f"{file_format.label}" + (f": {filters}" if filters else ""),
        changes={"query": [None, query], "rows": [None, rows]},
    )


def record_money_entry(*, entry, user, balance_before, detail=""):
    """The event of a money ledger's entry (``models.MoneyEntry``), about its account:
    "Charge USD 20.00 at Downtown" and ``detail``, the balance before and after."""
    summary = f"{entry.get_kind_display()} {format_money(abs(entry.amount))}"
    if entry.store_id:
        summary += f" at {entry.store}"
    return record(
        user=user,
        action=Action.BALANCE,
        obj=entry.account,
        summary=summary + detail,
        changes={"balance": [str(balance_before), str(entry.balance_after)]},
    )


def snapshot(instance, field_names):
    """The values of ``field_names`` on ``instance``, as they would be stored in an event."""
    return {name: jsonable(getattr(instance, name)) for name in field_names}


def changes_between(before, after):
    """``{field: [old, new]}`` for each field whose value differs."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def jsonable(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return str(value)


def field_label(model, name):
    """A field's label as the forms show it, e.g. "first name" for first_name."""
    try:
        return str(model._meta.get_field(name).verbose_name)
    except (AttributeError, FieldDoesNotExist):  # a removed model or field; loyalty_balance
        return name.replace("_", " ")


class Change(NamedTuple):
    """A changed field as the audit pages show it: its label, and its values before and
    after in words. A change told by its label alone ("photo replaced") has neither."""

    label: str
    old: str | None
    new: str | None


EMPTY = "—"


def changes_shown(model, changes):
    """Each of an event's ``changes`` ({field: [old, new]}, as stored) as a ``Change``,
    labelled by ``model``'s field (its verbose name), with the values people read: Yes or
    No, a choice's label, a country's name, a time in local time to the minute, "—" for
    nothing, related rows by the names stored. A file is never shown by its stored name,
    only as added, replaced or removed."""
    for name, (old, new) in changes.items():
        field = model_field(model, name)
        label = field_label(model, name)
        if isinstance(field, FileField):
            yield Change(f"{label} {file_change(old, new)}", None, None)
        else:
            yield Change(label, shown_value(field, old), shown_value(field, new))


def file_change(old, new):
    return "added" if not old else "removed" if not new else "replaced"


def model_field(model, name):
    """``model``'s field called ``name``, or None: a removed model or field, or a value
    recorded beside the fields (a customer's loyalty_balance)."""
    try:
        field = model._meta.get_field(name)
    except (AttributeError, FieldDoesNotExist):
        return None
    return field if isinstance(field, Field) else None


def shown_value(field, value):
    """A value stored in an event (see ``jsonable``), in words."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(shown_value(field, item) for item in value)
    if isinstance(field, CountryField):
        return str(field.countries.name(value) or value)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, DateTimeField) and isinstance(value, str):
        try:
            moment = parse_datetime(value)
            if moment is not None:
                return local_minute(moment)
        except (ValueError, OverflowError):  # not a time after all; past the calendar's ends
            pass
    return str(value)


def local_minute(moment):
    """A moment as the audit pages show it: local time, to the minute."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return format_date(timezone.localtime(moment), "Y-m-d H:i")


def object_urls(events):
    """{(content type id, object id): URL} of the objects of ``events`` that have a page
    (``get_absolute_url``) and still exist as their pages see them (a customer moved to
    Deleted has none): one query per kind of object, however many events."""
    wanted = defaultdict(set)
    for event in events:
        wanted[event.content_type].add(event.object_id)
    urls = {}
    for content_type, pks in wanted.items():
        model = content_type.model_class()
        if model is None or not hasattr(model, "get_absolute_url"):
            continue
        for obj in model._default_manager.filter(pk__in=pks):
            urls[content_type.pk, obj.pk] = obj.get_absolute_url()
    return urls


def history_of(obj):
    """The changes to ``obj``, newest first: who looked at it is in the audit trail, and
    would bury its history on its own page."""
    return (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        )
        .exclude(action=Action.VIEW)
        .select_related("user", "content_type")
    )


def redact_history(*, model, pks, when="purged"):
    """Remove the personal data from the events about purged objects (``model``'s, with
    these ``pks``), and from the events that name them as their customer (an account they
    held, a membership they joined), keeping the events.

    Who did what kind of change, and when, stays on record; the object's name, the values
    and free-text summaries go, the summary saying ``when`` (purged, erased).
    """
    own = Q(content_type=ContentType.objects.get_for_model(model), object_id__in=pks)
    events = list(
        AuditEvent.objects.filter(own | Q(about_customer__in=pks)).select_related("content_type")
    )
    for event in events:
        changed = ", ".join(event.changes) if event.action == Action.UPDATE else ""
        event_model = event.content_type.model_class() or model
        event.object_repr = anonymous_name(event_model(pk=event.object_id))
        event.summary = f"{event.get_action_display()}{f' {changed}' if changed else ''} "
        event.summary += f"(details removed when {when})"
        event.changes = {}
    # bulk_update writes through the queryset: events are otherwise never saved twice.
    AuditEvent.objects.bulk_update(events, ["object_repr", "summary", "changes"])


def anonymous_name(obj):
    return f"{obj._meta.verbose_name.capitalize()} #{obj.pk}"
