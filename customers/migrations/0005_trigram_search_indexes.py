"""Trigram indexes for the customer search, on PostgreSQL only.

Django compiles ``icontains`` to ``UPPER("col"::text) LIKE UPPER('%term%')`` and
``contains`` to ``"col"::text LIKE '%term%'``; no B-tree serves a leading wildcard, but a
pg_trgm GIN index on exactly those expressions does. SQLite has no pg_trgm: there the
migration does nothing.
"""

from django.db import migrations

SEARCHED_CASE_INSENSITIVE = ["first_name", "last_name", "company_name", "email", "id_number"]


def index_statements():
    for column in SEARCHED_CASE_INSENSITIVE:
        yield (
            f"customers_{column}_trgm",
            f'(UPPER("{column}"::text) gin_trgm_ops)',
        )
    yield "customers_phone_trgm", '(("phone"::text) gin_trgm_ops)'


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in index_statements():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "customers_customer" USING gin {expression}'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _ in index_statements():
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("customers", "0004_notes_limit")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
