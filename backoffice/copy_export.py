"""The CSV export on PostgreSQL, written by the database: ``COPY (SELECT …) TO STDOUT``.

Reading a million rows of 25 columns into Python cost three times what PostgreSQL takes to
write them as CSV itself. Here the SELECT does what ``ObjectTable.csv_lines`` does in
Python, from the same table definition (``export_columns``, ``export_source``,
``export_many``), so that a column added to a table appears in both files:

- each column's ``value_<name>`` conversion runs as its SQL twin (``sql_twin``);
- a text cell a spreadsheet would run as a formula gets its "'", and an empty text is
  written as NULL, an empty cell, where COPY would write ``""`` (``TEXT_CELL``);
- a many-valued column is the related values sorted by code point and joined by ";";
- the rows come in the queryset's order, the primary key last (``sort_terms``).

COPY ends its lines with "\\n" where Python's csv writer ends them with "\\r\\n";
``LineEnds`` turns the one into the other outside quoted cells. The two files are then
byte for byte the same (``tests/backoffice/test_copy_export.py``).
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models
from django.db.models import F, Func
from django.db.models.functions import Cast

from .paging import sort_terms

# A text cell of the inner SELECT: empty as NULL (COPY writes an empty text as ``""``),
# then ``backoffice.tables.neutralise`` in SQL (a phone number in E.164 as it is).
TEXT_CELL = (
    "CASE WHEN {cell} = '' THEN NULL "
    r"WHEN {cell} ~ '^ *[-=+@\t\r\n]' AND {cell} !~ '^\+[0-9]+$' THEN '''' || {cell} "
    "ELSE {cell} END"
)
# A raw boolean as Python's csv writer writes it.
BOOLEAN = "CASE WHEN %(expressions)s THEN 'True' WHEN NOT %(expressions)s THEN 'False' END"
TEXT = (models.CharField, models.TextField)
# Fields whose PostgreSQL text is what the csv module writes of their Python value.
WRITTEN_ALIKE = (models.IntegerField, models.DecimalField, models.DateField)
# The sort after the many-valued join happens in memory, not on disk.
WORK_MEM = "256MB"


def sql_twin(template, stored=False):
    """Give a cell conversion (a table's ``value_<name>``) the SQL that does the same in
    the COPY export: a ``Func`` template over the column's ``export_source``
    (``%(expressions)s``, free of query parameters: it may appear more than once), giving
    text. ``stored``: over the stored value instead, where the source is a cast to text
    that makes Python's reading cheaper (a time read back from text costs 4x)."""

    def attach(convert):
        convert.sql = template
        convert.sql_reads_stored = stored
        return convert

    return attach


def copy_csv(table_class, queryset, out):
    """Write the CSV of ``queryset`` as ``table_class`` exports it to the binary file
    ``out`` through COPY, yielding the number of rows written after each block."""
    select, params = export_select(table_class, queryset)
    # A connection of its own: a job's heartbeat writes through the default one meanwhile.
    connection = connections.create_connection(queryset.db)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SET work_mem = '{WORK_MEM}'")
            cursor.execute("SET jit = off")  # compiling the SELECT took 3.5 of its 17 s
            statement = connection.ops.compose_sql(
                f"COPY ({select}) TO STDOUT WITH (FORMAT csv, HEADER)", params
            )
            lines = LineEnds()
            with cursor.copy(statement) as copy:
                for block in copy:
                    out.write(lines.convert(block))
                    if lines.ended > 1:
                        yield lines.ended - 1  # the header is not a row
    finally:
        connection.close()


def export_select(table_class, queryset):
    """The SELECT whose rows, as COPY writes them, are the CSV's: ``(sql, params)``.

    An inner SELECT reads each column's value, converted, with the sort's values; the
    outer one joins the many-valued columns, treats the text cells and sorts."""
    quote = connections[queryset.db].ops.quote_name
    names = table_class.export_columns()
    terms = sort_terms(queryset)
    inner = {"export_pk": F("pk")}
    cells = []
    for position, name in enumerate(names):
        if name in table_class.export_many:
            join = many_join(queryset.model, table_class.export_many[name], position, quote)
            cells.append((text_cell(f"{quote(f'many_{position}')}.value"), join))
        else:
            alias = f"export_{position}"
            inner[alias], is_text = cell(table_class, queryset, name)
            reference = f"export_rows.{quote(alias)}"
            cells.append((text_cell(reference) if is_text else reference, ""))
    for position, term in enumerate(terms):
        inner[f"export_key_{position}"] = F(term.field)
    rows = queryset.order_by().annotate(**inner).values_list(*inner)
    sql, params = rows.query.sql_with_params()
    selected = ", ".join(
        f"{value} AS {quote(name)}" for (value, _), name in zip(cells, names, strict=True)
    )
    joins = " ".join(join for _, join in cells if join)
    order = ", ".join(
        f"export_rows.{quote(f'export_key_{position}')} "
        f"{'DESC' if term.descending else 'ASC'} NULLS {'LAST' if term.nulls_last else 'FIRST'}"
        for position, term in enumerate(terms)
    )
    return f"SELECT {selected} FROM ({sql}) AS export_rows {joins} ORDER BY {order}", params


def cell(table_class, queryset, name):
    """A column's value in the inner SELECT, and whether it is text: (expression, bool)."""
    source = table_class.export_source(name)
    expression = F(source) if isinstance(source, str) else source
    convert = getattr(table_class, f"value_{name}", None)
    if convert is not None:
        if not hasattr(convert, "sql"):
            raise ImproperlyConfigured(
                f"{table_class.__name__}.value_{name} has no SQL twin for the COPY export: "
                "decorate it with backoffice.copy_export.sql_twin."
            )
        if convert.sql_reads_stored and isinstance(expression, Cast):
            expression = expression.source_expressions[0]
        return Func(expression, template=convert.sql, output_field=models.TextField()), True
    field = expression.resolve_expression(queryset.query.clone()).output_field
    if isinstance(field, TEXT):
        return expression, True
    if isinstance(field, models.BooleanField):
        return Func(expression, template=BOOLEAN, output_field=models.TextField()), False
    if isinstance(field, WRITTEN_ALIKE) and not isinstance(field, models.DateTimeField):
        return expression, False
    raise ImproperlyConfigured(
        f"{table_class.__name__}.{name} ({field.__class__.__name__}) needs a value_{name} "
        "conversion with an SQL twin for the COPY export."
    )


def text_cell(reference):
    return TEXT_CELL.format(cell=reference)


def many_join(model, path, position, quote):
    """The join that gives ``many_<position>.value``: for a many-to-many ``path``
    ("stores__code"), each row's related values sorted by code point (as Python sorts
    them) and joined by ";". One grouped pass over the link table, not one per row."""
    relation, attribute = path.split("__", 1)
    field = model._meta.get_field(relation)
    through = field.remote_field.through._meta
    related = field.related_model._meta
    value = f"related.{quote(related.get_field(attribute).column)}::text"
    key = f"link.{quote(field.m2m_column_name())}"
    alias = quote(f"many_{position}")
    return (
        f"LEFT JOIN (SELECT {key} AS key, "
        f"string_agg({value}, ';' ORDER BY {value} COLLATE \"C\") AS value "
        f"FROM {quote(through.db_table)} AS link JOIN {quote(related.db_table)} AS related "
        f"ON related.{quote(related.pk.column)} = link.{quote(field.m2m_reverse_name())} "
        f"GROUP BY {key}) AS {alias} ON {alias}.key = export_rows.export_pk"
    )


class LineEnds:
    """COPY's lines end in "\\n", Python's csv writer's in "\\r\\n": the ends outside quoted
    cells are changed, block by block; a new line inside a quoted cell stays as it is.
    ``ended`` counts the lines ended so far."""

    def __init__(self):
        self.quoted = False  # whether the last block ended inside a quoted cell
        self.ended = 0

    def convert(self, block):
        parts = bytes(block).split(b'"')
        # Parts alternate between outside and inside quotes (an escaped "" closes and
        # opens again, with nothing between).
        for index in range(1 if self.quoted else 0, len(parts), 2):
            self.ended += parts[index].count(b"\n")
            parts[index] = parts[index].replace(b"\n", b"\r\n")
        if len(parts) % 2 == 0:
            self.quoted = not self.quoted
        return b'"'.join(parts)
