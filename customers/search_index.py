"""SQLite's index for the customer search: an FTS5 table with the trigram tokenizer over
the searched columns, kept in step with ``customers_customer`` by triggers.

It is (re)made after every ``migrate``, not by a migration of its own: SQLite's
``ALTER TABLE`` in Django rebuilds a table under a new name, which drops its triggers, so a
later migration of the customer model would silently stop the index from following. After
each migrate the table and the triggers are checked, and the index is rebuilt whenever a
trigger had to be made again. PostgreSQL uses pg_trgm indexes instead (migration 0005).
"""

from django.db import connections
from django.db.models import BooleanField, F, Func

TABLE = "customers_search"
TEXT_COLUMNS = ["first_name", "last_name", "company_name", "email", "id_number"]
COLUMNS = [*TEXT_COLUMNS, "phone"]
MATCHING_IDS = f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s"


def _values(prefix):
    return ", ".join(f"{prefix}.{column}" for column in COLUMNS)


_COLUMN_LIST = ", ".join(COLUMNS)
TRIGGERS = {
    f"{TABLE}_after_insert": (
        f"CREATE TRIGGER {TABLE}_after_insert AFTER INSERT ON customers_customer BEGIN "
        f"INSERT INTO {TABLE}(rowid, {_COLUMN_LIST}) VALUES (new.id, {_values('new')}); END"
    ),
    f"{TABLE}_after_delete": (
        f"CREATE TRIGGER {TABLE}_after_delete AFTER DELETE ON customers_customer BEGIN "
        f"INSERT INTO {TABLE}({TABLE}, rowid, {_COLUMN_LIST}) "
        f"VALUES ('delete', old.id, {_values('old')}); END"
    ),
    f"{TABLE}_after_update": (
        f"CREATE TRIGGER {TABLE}_after_update AFTER UPDATE ON customers_customer BEGIN "
        f"INSERT INTO {TABLE}({TABLE}, rowid, {_COLUMN_LIST}) "
        f"VALUES ('delete', old.id, {_values('old')}); "
        f"INSERT INTO {TABLE}(rowid, {_COLUMN_LIST}) VALUES (new.id, {_values('new')}); END"
    ),
}


def ensure_sqlite_search_index(using="default", **kwargs):
    """Make the FTS5 table and its triggers where they are missing (a post_migrate hook)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5({_COLUMN_LIST}, "
            "content='customers_customer', content_rowid='id', tokenize='trigram')"
        )
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
            "'customers_customer'"
        )
        existing = {name for (name,) in cursor.fetchall()}
        if set(TRIGGERS) <= existing:
            return
        for name, statement in TRIGGERS.items():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(statement)
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")


def fts_phrase(text):
    """``text`` as an FTS5 string: matched as a substring, whatever characters it holds."""
    return '"' + text.replace('"', '""') + '"'


class InSearchIndex(Func):
    """Customers whose row the FTS5 expression ``match`` finds in the search table.

    Written ``id IN (matching rowids)`` in a query without a sort and a limit (counting,
    fetching keys), so that SQLite reads the matches from the search table; and
    ``id + 0 IN (...)`` in a sorted, limited one (a page), so that SQLite cannot drive from
    the matches (fetch them all, sort them all, keep 50: 130 ms for a name 50,000 customers
    share, at a million) and walks the sort's index instead, checking each row against the
    matches (15 ms).
    """

    output_field = BooleanField()

    def __init__(self, match):
        super().__init__(F("pk"))
        self.match = match

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        query = compiler.query
        sorted_page = query.is_sliced and (
            query.order_by or (query.default_ordering and query.get_meta().ordering)
        )
        left = f"{column} + 0" if sorted_page else column
        return f"{left} IN ({MATCHING_IDS})", [*params, self.match]
