"""Time an import's check (the dry run) of N rows, then its writing, run by 1, 2, ...
worker processes, as in production: each is split into parts, which the workers share.

    .venv/bin/python bench/import_workers.py --customers 1000000 --workers 1,2

PostgreSQL only. The file is N new customers, the columns a store's own file has (name,
email, phone, address, stores), read from ``bench/run.py``'s database of that size (the
first ``--rows`` of them) and written once to ``bench/data/upload-ROWS.csv`` (under the
100 MiB upload limit at a million). Each run checks it in a fresh ``bench_import_target``
(40 stores, no customers) with that many ``db_worker`` processes; the time is from the
job's queueing to the import's findings, and from pressing Import to the last batch.
Prints a Markdown table for ``bench/RESULTS.md``.
"""

import argparse
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

# bench/imports.py, beside this one ("imports" is the project's app).
_spec = importlib.util.spec_from_file_location("bench_imports", BENCH / "imports.py")
bench_imports = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_imports)

COLUMNS = "first_name, last_name, email, phone, address_line1, city, zip_code, country"
UPLOAD_SQL = f"""
COPY (
  SELECT {COLUMNS},
         (SELECT string_agg(s.code, ';') FROM customers_customer_stores cs
            JOIN stores_store s ON s.id = cs.store_id WHERE cs.customer_id = c.id) AS stores
    FROM customers_customer c WHERE deleted_at IS NULL ORDER BY id LIMIT {{rows}}
) TO STDOUT WITH (FORMAT csv, HEADER)
"""


def upload_file(customers, rows):
    path = BENCH / "data" / f"upload-{rows}.csv"
    if not path.exists():
        import psycopg

        server = bench_imports.SERVER
        with (
            psycopg.connect(f"{server}/bench_{customers}") as source,
            path.open("wb") as out,
            source.cursor().copy(UPLOAD_SQL.format(rows=rows)) as copy,
        ):
            for block in copy:
                out.write(block)
    return path


def environment(target):
    return {
        **os.environ,
        "DATABASE_URL": target,
        "DJANGO_SETTINGS_MODULE": "backoffice.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-a-secret",
        "ALLOWED_HOSTS": "testserver",
        "MEDIA_ROOT": str(BENCH / "data" / "media"),
    }


def imported_by(workers, source):
    """Seconds from queueing the check of ``source`` to its findings, and from pressing
    Import to the last customer written, with ``workers``; and the file's rows."""
    target = bench_imports.fresh_target("postgres")
    os.environ.update(environment(target))
    import django

    django.setup()
    from django.core.files import File
    from django.db import connections, transaction

    from imports import tasks
    from imports.models import CustomerImport
    from jobs.running import start

    connections.close_all()  # the target was made again: a new connection
    with source.open("rb") as file, transaction.atomic():
        customer_import = CustomerImport(name=source.name)
        customer_import.file.save(source.name, File(file))
        start(tasks.check_import, customer_import, kind=CustomerImport.CHECK_JOB)
    started = time.perf_counter()
    running = [
        subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"],
            cwd=BENCH.parent,
            env=environment(target),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(workers)
    ]
    try:
        checked = until_moved_from(customer_import, CustomerImport.Status.CHECKING) - started
        assert customer_import.status == "checked", customer_import.problem
        with transaction.atomic():
            customer_import.move(source=["checked"], status=CustomerImport.Status.QUEUED)
            start(tasks.run_import, customer_import, kind=CustomerImport.WRITE_JOB)
        pressed = time.perf_counter()
        until_moved_from(customer_import, CustomerImport.Status.QUEUED)
        written = until_moved_from(customer_import, CustomerImport.Status.IMPORTING) - pressed
        assert customer_import.status == "done", customer_import.problem
    finally:
        for worker in running:
            worker.terminate()
            worker.wait()
    connections.close_all()
    return checked, written, customer_import.rows_total


def until_moved_from(customer_import, status):
    """When the import left ``status`` (polled every 0.5 s)."""
    while True:
        customer_import.refresh_from_db()
        if customer_import.status != status:
            return time.perf_counter()
        time.sleep(0.5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, required=True, help="The bench database's size.")
    parser.add_argument("--rows", type=int, help="The file's rows (default: --customers).")
    parser.add_argument("--workers", default="1,2", help="Worker counts to time, e.g. 1,2")
    args = parser.parse_args()
    source = upload_file(args.customers, args.rows or args.customers)
    print(
        f"\n{args.rows or args.customers:,} rows, {source.stat().st_size / 2**20:,.0f} MiB CSV, "
        f"{os.cpu_count()} cores; parts of 20,000 rows\n"
    )
    print(
        "| workers | check | rows/s | speed-up | write | rows/s | speed-up |\n"
        "|---|---|---|---|---|---|---|"
    )
    first = None
    for workers in map(int, args.workers.split(",")):
        check, write, rows = imported_by(workers, source)
        first = first or (check, write)
        print(
            f"| {workers} | {check:,.0f} s | {rows / check:,.0f} | {first[0] / check:.2f}x "
            f"| {write:,.0f} s | {rows / write:,.0f} | {first[1] / write:.2f}x |",
            flush=True,
        )


if __name__ == "__main__":
    main()
