"""What every bulk path owes the database: fresh statistics for its planner."""

from django.db import connection


def refresh_statistics(*models):
    """Tell PostgreSQL's planner how many rows the ``models``' tables now hold (every
    table when none is named). Its plans for a table last counted when it was nearly empty
    read all of it: right after a million customers were loaded, a first name was searched
    in 1,319 ms instead of 209 ms. Autovacuum keeps up with a trickle of new rows, not with
    a bulk load, and is off on some servers. SQLite's planner picks the same indexes
    without statistics."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
