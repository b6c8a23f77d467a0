"""Writing many rows at the speed of the database, for loaders (demo data, imports).

``bulk_create`` builds a model instance per row and compiles every value through its field,
which is most of the time of a million-row load. Here rows are plain dicts of column
values, written by PostgreSQL's ``COPY`` or SQLite's ``executemany``, in the caller's
transaction. Nothing here validates: the caller writes values its own checks passed.
"""

from contextlib import contextmanager
from operator import itemgetter

from django.db import connections

# Rows that one statement each writes faster than a scratch table's four statements.
FEW_ROWS = 100


def reserve_ids(model, count):
    """``count`` new primary keys for ``model``, taken from its sequence so that concurrent
    writers never get the same ones (on SQLite, whose writers take turns, after the
    highest one)."""
    connection = connections[model.objects.db]
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, count],
            )
            return [value for (value,) in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX({column}), 0) FROM {table}")
        (highest,) = cursor.fetchone()
        return list(range(highest + 1, highest + 1 + count))


def insert_rows(model, rows):
    """Insert ``rows`` (dicts of attribute name to value) into ``model``'s table. A field
    left out of the rows takes its default; rows without their primary key are given the
    database's next ones (when nothing else refers to them: then take ``reserve_ids``)."""
    if not rows:
        return
    connection = connections[model.objects.db]
    fields = model._meta.concrete_fields
    if model._meta.pk.attname not in rows[0]:
        fields = [field for field in fields if not field.primary_key]
    values = column_values(
        connection, fields, rows, defaults=[field.get_default() for field in fields]
    )
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_names = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({column_names}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({column_names}) VALUES ({placeholders})", values
            )


def update_rows(model, rows, fields):
    """Set ``fields`` (attribute names) of many rows of ``model``'s table: ``rows`` are
    dicts of the primary key and those fields. On PostgreSQL the rows are copied into a
    scratch table and applied by one ``UPDATE … FROM``; SQLite updates row by row."""
    if not rows:
        return
    connection = connections[model.objects.db]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = model._meta.pk
    targets = [pk, *(model._meta.get_field(name) for name in fields)]
    values = column_values(connection, targets, rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with scratch_table(cursor, model, targets, values) as scratch:
                assignments = ", ".join(
                    f"{quote(field.column)} = new.{quote(field.column)}" for field in targets[1:]
                )
                cursor.execute(
                    f"UPDATE {table} SET {assignments} FROM {scratch} AS new "
                    f"WHERE {table}.{quote(pk.column)} = new.{quote(pk.column)}"
                )
        else:
            placeholders = ", ".join(f"{quote(field.column)} = %s" for field in targets[1:])
            cursor.executemany(
                f"UPDATE {table} SET {placeholders} WHERE {quote(pk.column)} = %s",
                (row[1:] + row[:1] for row in values),
            )


def add_to(model, rows, *, unique):
    """Add ``rows``' numbers to the rows of ``model`` with the same ``unique`` fields,
    creating those that are missing (``INSERT … ON CONFLICT DO UPDATE``): running totals
    kept by a bulk loader, or by one sale. ``rows`` are dicts of every field but the
    primary key; the fields besides ``unique`` are added."""
    if not rows:
        return
    connection = connections[model.objects.db]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    names = ", ".join(quote(field.column) for field in fields)
    keys = [model._meta.get_field(name).column for name in unique]
    added = [quote(field.column) for field in fields if field.column not in keys]
    on_conflict = (
        f"ON CONFLICT ({', '.join(quote(column) for column in keys)}) DO UPDATE SET "
        + ", ".join(f"{column} = {table}.{column} + excluded.{column}" for column in added)
    )
    values = column_values(connection, fields, rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > FEW_ROWS:
            with scratch_table(cursor, model, fields, values) as scratch:
                cursor.execute(
                    f"INSERT INTO {table} ({names}) SELECT {names} FROM {scratch} {on_conflict}"
                )
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))}) "
                f"{on_conflict}",
                values,
            )


def column_values(connection, fields, rows, *, defaults=None):
    """The rows (dicts of attribute names) as lists of ``fields``' values for the loader,
    adapted where the database needs it. A field missing from a row takes its value in
    ``defaults`` when they are given, and is an error when not. (Each value is taken by
    ``map`` and ``itemgetter``, not a Python loop: a load of millions spends its time here.)"""
    names = [field.attname for field in fields]
    adapters = [
        (index, adapt)
        for index, field in enumerate(fields)
        if (adapt := column_adapter(connection, field))
    ]
    take = None
    if defaults is None:
        take = itemgetter(*names) if len(names) > 1 else lambda row: [row[names[0]]]
    for row in rows:
        values = list(take(row) if take else map(row.get, names, defaults))
        for index, adapt in adapters:
            values[index] = adapt(values[index])
        yield values


@contextmanager
def scratch_table(cursor, model, fields, values):
    """A PostgreSQL temporary table of ``fields``' columns of ``model``, loaded with
    ``values`` by ``COPY``, dropped when the block ends."""
    quote = cursor.db.ops.quote_name
    scratch = quote(f"scratch_{model._meta.db_table}")
    names = ", ".join(quote(field.column) for field in fields)
    cursor.execute(
        f"CREATE TEMPORARY TABLE {scratch} AS "
        f"SELECT {names} FROM {quote(model._meta.db_table)} WITH NO DATA"
    )
    with cursor.cursor.copy(f"COPY {scratch} ({names}) FROM STDIN") as copy:
        for row in values:
            copy.write_row(row)
    yield scratch
    # Not on an error: the transaction's rollback takes the table away.
    cursor.execute(f"DROP TABLE {scratch}")


def column_adapter(connection, field):
    """How a Python value of ``field`` is written by this database's loader, or None when
    the driver takes it as it is (psycopg's COPY takes dates, times and booleans)."""
    if connection.vendor == "postgresql":
        return None
    internal_type = field.get_internal_type()
    if internal_type == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    if internal_type == "DateField":
        return connection.ops.adapt_datefield_value
    return None
