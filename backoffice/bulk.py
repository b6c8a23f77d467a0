"""Writing many rows at the speed of the database, for loaders (demo data, imports).

``bulk_create`` builds a model instance per row and compiles every value through its field,
which is most of the time of a million-row load. Here rows are plain dicts of column
values, written by PostgreSQL's ``COPY`` or SQLite's ``executemany``, in the caller's
transaction. Nothing here validates: the caller writes values its own checks passed.
"""

from django.db import connections


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
    """Insert ``rows`` (dicts of attribute name to value, primary key included) into
    ``model``'s table. A field left out of the rows takes its default."""
    if not rows:
        return
    connection = connections[model.objects.db]
    fields = model._meta.concrete_fields
    defaults = {field.attname: field.get_default() for field in fields}
    columns = [(field.attname, column_adapter(connection, field)) for field in fields]
    values = (
        tuple(
            adapt(row.get(name, defaults[name])) if adapt else row.get(name, defaults[name])
            for name, adapt in columns
        )
        for row in rows
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
