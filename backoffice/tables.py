"""Tables declared once with django-tables2: the list shows them, the CSV export reads them.

A table's columns are declared in export order: the CSV has one column per declared column
that is not ``exclude_from_export``, headed by the column's name. Its cells are read as raw
values (see ``ObjectTable.csv_lines``) and passed through the table's ``value_<name>(value)``
when it has one; ``render_<name>`` is for the page. Which columns the page shows is the
user's choice (``TablePreference``), else ``default_columns``.
"""

import csv
import re
from operator import itemgetter
from typing import NamedTuple

import django_tables2 as tables
from django.template.defaultfilters import date as format_date
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django_tables2.utils import Accessor, signature

from . import audit
from .models import AuditEvent
from .money import format_money
from .paging import after_row, sort_terms

# OWASP "CSV injection": a spreadsheet runs a cell starting with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# A cell starting with one of these may be a formula (spaces may come before the trigger).
FORMULA_STARTS = "=+-@\t\r\n "
# A cell no spreadsheet runs, though it starts with "+": a number in E.164.
PHONE_NUMBER_CELL = re.compile(r"\+[0-9]+")
EXPORT_CHUNK_SIZE = 2000


class PageRow(NamedTuple):
    record: object
    cells: str
    url: str
    actions: list


class ObjectTable(tables.Table):
    """Base of every list's table.

    Subclasses set ``preference_key`` (the key of users' column choices),
    ``default_columns`` (the columns shown, in order, until a user chooses),
    ``fixed_columns`` (always shown), and ``phone_columns`` (the default columns still shown
    below the md breakpoint; the other default columns are hidden there by CSS).
    ``row_actions`` are the "Actions" menu of each row: (label, URL name, permission), a
    link with the row's primary key as the URL's argument, or (label, URL name, permission,
    "post"), a button posting the row as ``selected`` (a bulk action on one row).
    ``sort_keys`` maps a column to the list's ``sort`` value that orders by it; the list's
    filters do the sorting, the table only draws the headers.
    """

    preference_key = ""
    default_columns = ()
    fixed_columns = ()
    phone_columns = ()
    row_actions = ()
    sort_keys = {}
    detail_url_name = ""  # the records' page, taking the primary key; else get_absolute_url()
    # The export: where a column's value comes from when its accessor is not an ORM path,
    # and the columns that join several related values with ";" ({"stores": "stores__code"}).
    export_sources = {}
    export_many = {}
    # The workbook export: each column's cell kind ("date", "datetime", "number",
    # "boolean"), from its exported value; a column not named here is a text cell.
    export_kinds = {}
    registry = {}  # preference_key -> table class, for the column chooser

    class Meta:
        template_name = "generic/table.html"
        attrs = {"class": "table table-hover align-middle mb-0 object-table"}
        orderable = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.preference_key:
            ObjectTable.registry[cls.preference_key] = cls

    def __init__(self, data, *, columns=None, current_sort="", return_to="", **kwargs):
        shown = self.clean_column_choice(columns) or list(self.default_columns)
        kwargs["sequence"] = shown
        kwargs["exclude"] = [name for name in self.base_columns if name not in shown]
        super().__init__(data, **kwargs)
        self.shown_columns = shown
        self.current_sort = current_sort
        self.url_makers = {}
        self.allowed_row_actions = []  # (label, URL name, posts): set by the list view
        # Links from the rows carry the list's address, to come back to it after a save.
        self.return_query = f"?{urlencode({'next': return_to})}" if return_to else ""
        for column in self.columns:
            column.header_class = (
                "d-none d-md-table-cell" if self.hidden_on_phones(column.name) else ""
            )
            cell_classes = [column.column.attrs.get("td", {}).get("class", ""), column.header_class]
            column.cell_class = " ".join(filter(None, cell_classes))
            column.sort = self.sort_state(column.name)

    def page_rows(self):
        """The rows to draw, each a ``PageRow``: its record, its cells (the ``<td>``
        elements, in column order), its page's URL and its action menu's links.

        The cells are what django-tables2's rows render (the table's ``render_<name>``
        method, else the column's own ``render``; the column's default for an empty value),
        with each column's renderer and the arguments it takes worked out once per page:
        django-tables2 inspects the render method's signature again for every cell, which
        was a third of the list page's time. Give a choice field a ``render_<name>``. The
        same goes for URLs: each is reversed once per page (``record_url``), and for the
        cells' markup, which is written here rather than by a template loop (half of the
        table's rendering time).
        """
        primary = next((column.name for column in self.columns if not column.header_class), None)
        renderers = [
            self.cell_renderer(column, primary=column.name == primary) for column in self.columns
        ]
        actions = [
            (label, reverse(url_name) if posts else self.record_url(url_name), posts)
            for label, url_name, posts in self.allowed_row_actions
        ]
        return [
            PageRow(
                record=record,
                cells=mark_safe("".join([render(record) for render in renderers])),
                url=self.detail_url(record),
                actions=[
                    (label, url if posts else url(record.pk), posts)
                    for label, url, posts in actions
                ],
            )
            for record in self.data.data
        ]

    def detail_url(self, record):
        """The record's page, with the list's address to come back to."""
        if self.detail_url_name:
            return self.record_url(self.detail_url_name)(record.pk) + self.return_query
        if hasattr(record, "get_absolute_url"):
            return record.get_absolute_url() + self.return_query
        return ""

    def record_url(self, url_name):
        """A function of a primary key giving the URL named ``url_name`` for it (which takes
        the key as its one argument): reversed once per page, then filled in for each row."""
        if url_name not in self.url_makers:
            placeholder = "2147483647"
            before, after = reverse(url_name, args=[placeholder]).split(placeholder)
            self.url_makers[url_name] = lambda pk: f"{before}{pk}{after}"
        return self.url_makers[url_name]

    def cell_renderer(self, bound_column, primary=False):
        """A function of a record giving its ``<td>``. The primary cell (the first one a
        phone shows) heads the row's card on a phone; each cell is labelled with its
        column's header for the phone's card layout."""
        column = bound_column.column
        accessor = Accessor(bound_column.accessor)
        render = bound_column.render
        wanted, takes_any = signature(render)
        default, empty_values = bound_column.default, column.empty_values
        css = " ".join(filter(None, [bound_column.cell_class, "cell-primary" if primary else ""]))
        opening = (
            format_html('<td class="{}" data-label="{}">', css, bound_column.header)
            if css
            else format_html('<td data-label="{}">', bound_column.header)
        )

        def cell(record):
            value = accessor.resolve(record, quiet=True)
            if value in empty_values:
                return f"{opening}{conditional_escape(default)}</td>"
            arguments = {
                "value": value,
                "record": record,
                "column": column,
                "bound_column": bound_column,
                "table": self,
            }
            if not takes_any:
                arguments = {name: arguments[name] for name in wanted}
            return f"{opening}{conditional_escape(render(**arguments))}</td>"

        return cell

    def hidden_on_phones(self, name):
        """Default columns beyond ``phone_columns`` are left out on phones; a column the
        user added is shown there too, since they asked for it."""
        return name in self.default_columns and name not in self.phone_columns

    @classmethod
    def clean_column_choice(cls, columns):
        """The chosen columns that exist, in the order chosen; a fixed column left out is
        put first."""
        if not columns:
            return []
        chosen = list(dict.fromkeys(name for name in columns if name in cls.base_columns))
        for name in reversed(cls.fixed_columns):
            if name not in chosen:
                chosen.insert(0, name)
        return chosen

    def column_choices(self):
        """(name, label, shown, fixed) for the column chooser: the shown columns in their
        order, then the others, default ones first."""
        shown = self.shown_columns
        others = [name for name in self.display_order() if name not in shown]
        return [
            (
                name,
                str(self.base_columns[name].verbose_name or name),
                name in shown,
                name in self.fixed_columns,
            )
            for name in [*shown, *others]
        ]

    @classmethod
    def display_order(cls):
        """Default columns first, in their order, then the others as declared."""
        rest = [name for name in cls.base_columns if name not in cls.default_columns]
        return [*cls.default_columns, *rest]

    def sort_state(self, column_name):
        """The header of a sortable column: its direction now, and the sort a click gives."""
        key = self.sort_keys.get(column_name)
        if key is None:
            return None
        direction = (
            "ascending"
            if self.current_sort == key
            else "descending"
            if self.current_sort == f"-{key}"
            else None
        )
        return {"direction": direction, "next": f"-{key}" if direction == "ascending" else key}

    @property
    def sort_description(self):
        """The sort in words, e.g. "name, descending", for the table's caption."""
        key = self.current_sort.removeprefix("-")
        for name, sort_key in self.sort_keys.items():
            if sort_key == key:
                label = str(self.base_columns[name].verbose_name).lower()
                return (
                    f"{label}, {'descending' if self.current_sort.startswith('-') else 'ascending'}"
                )
        return ""

    # The CSV export

    @classmethod
    def export_columns(cls):
        return [name for name, column in cls.base_columns.items() if not column.exclude_from_export]

    @classmethod
    def csv_header(cls):
        return cls.export_columns()

    @classmethod
    def export_labels(cls):
        """The columns' labels as the page shows them: the workbook's header."""
        return [str(cls.base_columns[name].verbose_name) for name in cls.export_columns()]

    @classmethod
    def list_queryset(cls, queryset):
        """What the page's columns need, fetched in bulk: subclasses add their joins."""
        return queryset

    @classmethod
    def csv_lines(cls, queryset):
        """The CSV export, line by line: the header, then one line per row, in the
        queryset's order, its text cells neutralised."""
        writer = csv.writer(Echo())
        yield writer.writerow(cls.csv_header())
        for cells in cls.export_rows(queryset):
            for index, value in enumerate(cells):
                if value.__class__ is str and value and value[0] in FORMULA_STARTS:
                    cells[index] = neutralise(value)
            yield writer.writerow(cells)

    @classmethod
    def export_rows(cls, queryset):
        """The export's rows, as lists of cells in ``export_columns`` order.

        Rows are read as tuples (``values_list``), ``EXPORT_CHUNK_SIZE`` at a time, each
        chunk the rows after the previous one's last in the sort order (keyset chunks, as
        the list's pages): the sort's index streams the first rows at once, memory stays
        flat, and no cursor or transaction stays open between chunks. A many-valued column
        costs one query per chunk. Each column's value is its ``export_sources`` entry (an
        ORM path or expression), else its accessor, passed through the table's
        ``value_<name>(value)`` when it has one. This is the export's inner loop: per
        cell, it does no more than it must.
        """
        names = cls.export_columns()
        single = [name for name in names if name not in cls.export_many]
        sources = ["pk", *(cls.export_source(name) for name in single)]
        terms = sort_terms(queryset)
        # The sort's values, for the next chunk: read with the row, once.
        for term in terms:
            if term.field not in sources and not (term.field == "id" and "pk" in sources):
                sources.append(term.field)
        key_positions = [
            0 if term.field == queryset.model._meta.pk.attname else sources.index(term.field)
            for term in terms
        ]
        in_order = queryset.order_by(*(term.order_by() for term in terms))
        positions = [single.index(name) + 1 if name in single else 0 for name in names]
        cells_of = itemgetter(*positions) if len(positions) > 1 else lambda row: (row[0],)
        conversions = [
            (index, convert)
            for index, name in enumerate(names)
            if (convert := getattr(cls, f"value_{name}", None))
        ]
        many = [(index, name) for index, name in enumerate(names) if name in cls.export_many]
        related = {
            name: cls.related_values(queryset.model, cls.export_many[name]) for _, name in many
        }
        rows_left = in_order
        while True:
            chunk = list(rows_left.values_list(*sources)[:EXPORT_CHUNK_SIZE])
            chunk_keys = rows_left.values("pk")[:EXPORT_CHUNK_SIZE]
            joined = {
                name: cls.joined_values(
                    queryset.model, cls.export_many[name], chunk_keys, related[name]
                )
                for _, name in many
                if chunk
            }
            for row in chunk:
                cells = list(cells_of(row))
                for index, name in many:
                    cells[index] = joined[name].get(row[0], "")
                for index, convert in conversions:
                    cells[index] = convert(cells[index])
                yield cells
            if len(chunk) < EXPORT_CHUNK_SIZE:
                return
            last = [chunk[-1][position] for position in key_positions]
            rows_left = in_order.filter(after_row(terms, last))

    @classmethod
    def export_source(cls, name):
        if name in cls.export_sources:
            return cls.export_sources[name]
        return str(cls.base_columns[name].accessor or name).replace(".", "__")

    @staticmethod
    def joined_values(model, path, keys, names):
        """{pk: "a;b"}: for a many-to-many ``path`` ("stores__code"), the related values of
        the rows whose primary keys the subquery ``keys`` selects, sorted, joined by ";".
        Read from the link table alone (``names`` maps each related row's key to its value,
        read once per export), for keys the database selects again rather than thousands
        of parameters (parsing those cost more than the query)."""
        field = model._meta.get_field(path.split("__")[0])
        links = field.remote_field.through.objects.filter(
            **{f"{field.m2m_column_name()}__in": keys}
        ).values_list(field.m2m_column_name(), field.m2m_reverse_name())
        values = {}
        for pk, related in links:
            values.setdefault(pk, []).append(names[related])
        return {pk: ";".join(sorted(map(str, found))) for pk, found in values.items()}

    @staticmethod
    def related_values(model, path):
        """{key: value} of the related rows a many-to-many ``path`` reads."""
        relation, attribute = path.split("__", 1)
        related = model._meta.get_field(relation).related_model
        return dict(related._base_manager.values_list("pk", attribute))


def person(user):
    """Who did something, as the tables show them."""
    return (user.get_full_name() or user.get_username()) if user else "—"


def neutralise(value):
    """A cell a spreadsheet would run as a formula, prefixed so that it is shown as text.
    Spaces before the trigger do not stop a spreadsheet from running it, so they do not stop
    the prefix either. A plus sign followed by digits alone (a phone number, +15125550199)
    cannot run as one, and is written as it is: mailing and SMS tools read it."""
    if (
        isinstance(value, str)
        and value.lstrip(" ").startswith(FORMULA_TRIGGERS)
        and not PHONE_NUMBER_CELL.fullmatch(value)
    ):
        return "'" + value
    return value


class Echo:
    """A file-like object that hands back what is written, for streaming with csv.writer."""

    def write(self, value):
        return value


class AuditEventTable(ObjectTable):
    preference_key = "audit"
    default_columns = ("created_at", "user", "action", "object", "summary", "changes")
    fixed_columns = ("created_at",)
    phone_columns = ("created_at", "user", "object", "summary", "changes")

    created_at = tables.Column("When", attrs={"td": {"class": "text-nowrap small"}})
    user = tables.Column("Who", empty_values=())
    action = tables.Column("Action")
    object_type = tables.Column("Object type", accessor="content_type")
    object = tables.Column("Object", accessor="object_repr")
    summary = tables.Column("Summary")
    changes = tables.Column("Changes", empty_values=(), attrs={"td": {"class": "small"}})

    class Meta(ObjectTable.Meta):
        empty_text = "No events match."

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        # The objects' pages, looked up for the whole page at once.
        self.object_urls = audit.object_urls(data) if "object" in self.shown_columns else {}

    def render_created_at(self, value):
        return audit.local_minute(value)

    def render_user(self, record):
        if record.user:
            return record.user.get_full_name() or record.user.get_username()
        return record.user_name or "—"

    def render_action(self, record):
        return record.get_action_display()

    def render_object_type(self, value):
        return str(value.model_class()._meta.verbose_name).capitalize()

    def render_object(self, record, value):
        url = self.object_urls.get((record.content_type_id, record.object_id))
        return format_html('<a href="{}">{}</a>', url, value) if url else value

    def render_changes(self, record):
        created = record.action == AuditEvent.Action.CREATE
        changes = audit.changes_shown(record.content_type.model_class(), record.changes)
        return format_html_join(
            mark_safe("<br>"), "{}", ((change_line(change, created),) for change in changes)
        )


def change_line(change, created):
    """One line of an event's Changes: "city: London → Paris", the new value alone for a
    creation, and a change told by its label alone as it is ("photo replaced")."""
    if change.new is None:
        return change.label
    label = format_html('<span class="text-body-secondary">{}</span>', change.label)
    if created:
        return format_html("{}: {}", label, change.new)
    return format_html("{}: {} → {}", label, change.old, change.new)


class MoneyEntryTable(ObjectTable):
    """The entries of a money ledger (``models.MoneyEntry``), newest first."""

    default_columns = ("created_at", "kind", "store", "amount", "balance_after", "created_by")
    fixed_columns = ("created_at",)
    phone_columns = ("created_at", "kind", "amount", "balance_after")

    created_at = tables.Column("Date", attrs={"td": {"class": "text-nowrap"}})
    kind = tables.Column("Entry")
    store = tables.Column("Store")
    amount = tables.Column("Amount", attrs={"td": {"class": "text-end text-nowrap"}})
    balance_after = tables.Column("Balance after", attrs={"td": {"class": "text-end text-nowrap"}})
    note = tables.Column("Note")
    created_by = tables.Column("Who", empty_values=())

    class Meta(ObjectTable.Meta):
        empty_text = "No entries yet."

    @classmethod
    def list_queryset(cls, queryset):
        return queryset.select_related("store", "created_by")

    def render_created_at(self, value):
        return format_date(value, "Y-m-d H:i")

    def render_kind(self, record):
        return record.get_kind_display()

    def render_amount(self, value):
        return format_money(value)

    def render_balance_after(self, value):
        return format_money(value)

    def render_created_by(self, record):
        return person(record.created_by)


class ExportTable(ObjectTable):
    preference_key = "exports"
    default_columns = ("title", "created_at", "status", "rows")
    fixed_columns = ("title",)
    phone_columns = ("title", "status")

    title = tables.Column("List")
    created_at = tables.Column("When", attrs={"td": {"class": "text-nowrap"}})
    status = tables.Column("Status")
    rows = tables.Column("Rows", accessor="pk", empty_values=())

    class Meta(ObjectTable.Meta):
        empty_text = "No exports yet."

    def render_created_at(self, value):
        return format_date(value, "Y-m-d H:i")

    def render_status(self, record):
        return record.get_status_display()

    def render_rows(self, record):
        if record.rows_total is None:
            return "—"
        return f"{record.rows_done:,} of {record.rows_total:,}"
