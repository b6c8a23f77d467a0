"""Counting and paging that cost the same on page 1 and on page 20,000 of a million rows.

A list's count is exact up to ``COUNT_LIMIT`` matches and "more than 10,000" beyond (a list
may know its exact count from elsewhere, e.g. the customer tallies). A search is counted up
to ``SEARCH_COUNT_LIMIT`` matches, and further when its count is asked for (``count=1``):
a word that a twentieth of a million customers share is not counted on every search.

Pages are keyset pages: Next and Previous carry the sort values of the last or first row
shown (``after`` and ``before`` in the query string), and the next page is the rows beyond
them in the sort order, which the sort's index finds without reading the rows before. The
page number rides along for display only. A bare ``page=N`` (an old link, a script) is
still answered, by OFFSET, up to ``MAX_OFFSET`` rows; ``page=last`` is the sort reversed.
"""

import base64
import binascii
import json
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.db.models.expressions import OrderBy

COUNT_LIMIT = 10_000
NARROW_LIMIT = 1_000
# A search is counted up to this many matches, unless its count is asked for: finding a
# common word's first 1,001 matches reads 20,000 rows, 20 ms at a million customers.
SEARCH_COUNT_LIMIT = 100
MAX_OFFSET = 10_000


@dataclass(frozen=True)
class ResultCount:
    """How many rows a list holds: exactly ``value``, or more than ``value``."""

    value: int
    exact: bool = True

    def __str__(self):
        return f"{self.value:,}" if self.exact else f"more than {self.value:,}"

    @property
    def is_one(self):
        return self.exact and self.value == 1


def bounded_count(queryset, limit=None):
    """The rows of ``queryset``, counted by the database up to ``limit + 1`` (by default,
    ``COUNT_LIMIT + 1``)."""
    limit = COUNT_LIMIT if limit is None else limit
    found = queryset.order_by()[: limit + 1].count()
    return ResultCount(min(found, limit), exact=found <= limit)


def narrowed(queryset, *, narrow_limit=None, count_limit=None):
    """``(ResultCount, queryset)``. The rows are looked for first, up to ``narrow_limit``
    (by default ``NARROW_LIMIT``) of them, in one unordered query (the search's own
    indexes). When there are no more, they are the count, and the queryset is narrowed to
    their primary keys, so that reading it in order does not walk the sort's whole index
    looking for a few rows (seconds at a million rows). With more, a page's worth comes
    after a short walk, and they are counted up to ``count_limit`` (by default
    ``COUNT_LIMIT``); not at all when that is no more than ``narrow_limit``."""
    narrow_limit = NARROW_LIMIT if narrow_limit is None else narrow_limit
    count_limit = COUNT_LIMIT if count_limit is None else count_limit
    pks = list(queryset.order_by().values_list("pk", flat=True)[: narrow_limit + 1])
    if len(pks) <= narrow_limit:
        return ResultCount(len(pks)), queryset.filter(pk__in=pks)
    if count_limit <= narrow_limit:
        return ResultCount(narrow_limit, exact=False), queryset
    return bounded_count(queryset, count_limit), queryset


def narrowed_if_few(queryset):
    """``queryset`` narrowed to its primary keys when it matches no more than
    ``NARROW_LIMIT`` rows, found in one unordered query (the search's own indexes, where
    an ordered one would walk the sort's index); else ``queryset`` as it is. For a page
    that shows no count (the registers' search), or has counted them already (an export)."""
    pks = list(queryset.order_by().values_list("pk", flat=True)[: NARROW_LIMIT + 1])
    if len(pks) <= NARROW_LIMIT:
        return queryset.filter(pk__in=pks)
    return queryset


@dataclass(frozen=True)
class SortTerm:
    """One column of a list's order: which field, which way, and where its NULLs go."""

    field: str
    descending: bool
    nulls_last: bool
    nullable: bool

    def reversed(self):
        return SortTerm(self.field, not self.descending, not self.nulls_last, self.nullable)

    def order_by(self):
        expression = F(self.field)
        if self.nullable:
            nulls = {"nulls_last": True} if self.nulls_last else {"nulls_first": True}
        else:
            nulls = {}
        return expression.desc(**nulls) if self.descending else expression.asc(**nulls)

    def equals(self, value):
        return Q(**{f"{self.field}__isnull": True}) if value is None else Q(**{self.field: value})

    def beyond(self, value, inclusive=False):
        """Rows after ``value`` in this term's order (or at it, ``inclusive``)."""
        if value is None:
            if self.nulls_last:  # nothing comes after the NULLs
                return self.equals(None) if inclusive else Q(pk__in=[])
            return Q(**{f"{self.field}__isnull": False}) | (self.equals(None) if inclusive else Q())
        lookup = ("lt" if self.descending else "gt") + ("e" if inclusive else "")
        condition = Q(**{f"{self.field}__{lookup}": value})
        if self.nullable and self.nulls_last:
            condition |= Q(**{f"{self.field}__isnull": True})
        return condition


def sort_terms(queryset):
    """The queryset's order as ``SortTerm``s, ending with the primary key (added, in the
    direction of the last term, when the order does not already end with it)."""
    model = queryset.model
    ordering = queryset.query.order_by or model._meta.ordering
    terms = []
    for item in ordering:
        if isinstance(item, OrderBy):
            name, descending = item.expression.name, item.descending
            nulls_last = bool(item.nulls_last) or (not item.nulls_first and not descending)
        else:
            name, descending = item.lstrip("-"), item.startswith("-")
            nulls_last = not descending  # the database's default
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        terms.append(SortTerm(field.attname, descending, nulls_last, field.null))
    if not terms or terms[-1].field != model._meta.pk.attname:
        descending = terms[-1].descending if terms else False
        terms.append(SortTerm(model._meta.pk.attname, descending, not descending, False))
    return terms


def after_row(terms, values):
    """Rows strictly after the row whose sort values are ``values``.

    The first term's own bound comes first, on its own, so that the database reads the
    sort's index from the cursor on instead of filtering it from the start.
    """
    strictly_after = Q(pk__in=[])
    for position, term in enumerate(terms):
        condition = term.beyond(values[position])
        for earlier, value in zip(terms[:position], values, strict=False):
            condition &= earlier.equals(value)
        strictly_after |= condition
    return terms[0].beyond(values[0], inclusive=True) & strictly_after


class Cursor:
    """The sort values of one row, as an opaque token for a URL."""

    @staticmethod
    def encode(values):
        # str() keeps every digit of a time (Django's JSON encoder drops microseconds), and
        # each field's to_python() reads it back.
        text = json.dumps(values, default=str, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @staticmethod
    def decode(token, terms, model):
        """The values in ``token``, or None if it is not one of ours (any edited token
        just opens the first page)."""
        try:
            values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        except (ValueError, binascii.Error):
            return None
        if not isinstance(values, list) or len(values) != len(terms):
            return None
        fields = {field.attname: field for field in model._meta.concrete_fields}
        try:
            return [
                None if value is None else fields[term.field].to_python(value)
                for term, value in zip(terms, values, strict=True)
            ]
        except (ValidationError, KeyError, TypeError):
            return None


@dataclass
class KeysetPage:
    """One page, answering like Django's ``Page`` where it can (``has_next()``...)."""

    rows: list
    number: int | None
    rows_before: bool
    rows_after: bool
    previous_cursor: str = ""
    next_cursor: str = ""
    num_pages: int | None = None

    def has_previous(self):
        return self.rows_before

    def has_next(self):
        return self.rows_after

    def has_other_pages(self):
        return self.rows_before or self.rows_after

    def previous_page_number(self):
        return self.number - 1 if self.number and self.number > 1 else None

    def next_page_number(self):
        return self.number + 1 if self.number else None


class KeysetPaginator:
    """Pages of ``queryset`` in its order (see the module's docstring)."""

    def __init__(self, queryset, per_page, count):
        self.queryset = queryset
        self.per_page = per_page
        self.count = count
        self.terms = sort_terms(queryset)
        self.ordered = queryset.order_by(*(term.order_by() for term in self.terms))
        self.reversed = queryset.order_by(*(term.reversed().order_by() for term in self.terms))

    @property
    def num_pages(self):
        """Known when the count is exact."""
        if not self.count.exact:
            return None
        return max(1, math.ceil(self.count.value / self.per_page))

    def page(self, params):
        """The page asked for by ``params`` (a request's GET)."""
        model = self.queryset.model
        number = self.page_number(params.get("page"))
        if after := Cursor.decode(params.get("after", ""), self.terms, model):
            rows = list(self.ordered.filter(after_row(self.terms, after))[: self.per_page + 1])
            return self.make_page(rows[: self.per_page], number, True, len(rows) > self.per_page)
        if before := Cursor.decode(params.get("before", ""), self.terms, model):
            reversed_terms = [term.reversed() for term in self.terms]
            rows = list(
                self.reversed.filter(after_row(reversed_terms, before))[: self.per_page + 1]
            )
            has_previous = len(rows) > self.per_page
            rows = rows[: self.per_page][::-1]
            return self.make_page(rows, number if has_previous else 1, has_previous, True)
        if params.get("page") == "last":
            return self.last_page()
        offset = min((number or 1) - 1, MAX_OFFSET // self.per_page - 1) * self.per_page
        rows = list(self.rows_from(offset, self.per_page + 1))
        if not rows and offset:  # past the end: the last page instead
            return self.last_page()
        return self.make_page(
            rows[: self.per_page],
            offset // self.per_page + 1,
            offset > 0,
            len(rows) > self.per_page,
        )

    def rows_from(self, offset, count):
        """``count`` rows from ``offset`` on, in order. Past the start their keys are found
        first and the rows then read by key: OFFSET over whole rows reads every row it skips,
        where the keys alone come from the sort's index (``page=200`` of a million
        customers: 64 ms, 37 ms by keys, on PostgreSQL)."""
        if not offset:
            return self.ordered[:count]
        return self.ordered.filter(pk__in=self.ordered.values("pk")[offset : offset + count])

    def last_page(self):
        """The end of the list. With an exact count its rows are those of the last numbered
        page; otherwise the last ``per_page`` rows."""
        size = self.per_page
        if self.num_pages:
            size = self.count.value - (self.num_pages - 1) * self.per_page or self.per_page
        rows = list(self.reversed[: size + 1])
        has_previous = len(rows) > size
        return self.make_page(rows[:size][::-1], self.num_pages, has_previous, False)

    def make_page(self, rows, number, has_previous, has_next):
        if not rows:
            has_previous = has_next = False
            number = 1
        return KeysetPage(
            rows=rows,
            number=number,
            rows_before=has_previous,
            rows_after=has_next,
            previous_cursor=self.cursor_of(rows[0]) if has_previous else "",
            next_cursor=self.cursor_of(rows[-1]) if has_next else "",
            num_pages=self.num_pages,
        )

    def cursor_of(self, row):
        return Cursor.encode([getattr(row, term.field) for term in self.terms])

    @staticmethod
    def page_number(value):
        try:
            number = int(value)
        except (TypeError, ValueError):
            return None
        return number if number >= 1 else None
