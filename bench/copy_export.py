"""Time the CSV export through COPY against a plain COPY of the same SELECT, in one run.

    .venv/bin/python bench/copy_export.py --customers 1000000

Runs on the PostgreSQL database that ``bench/run.py --db postgres --customers N`` seeded
(``bench_N``). Exports every customer in the list's order, as the export's job does
(``write_export_file``, to a scratch file), then reads a plain ``COPY`` of the very SELECT
(``export_select``) to the end, then (``--python``) writes the same file the way SQLite
still does. Each is run ``--repeats`` times; prints the median and the best, rows/s, and
the ratio of the export to the plain COPY, for ``bench/RESULTS.md``.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]


def timed(work, repeats):
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), min(seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--python", action="store_true", help="Also time the Python path.")
    args = parser.parse_args()

    from run import configure, machine

    configure(argparse.Namespace(db="postgres", customers=args.customers))
    import django

    django.setup()
    from django.db import connections

    from backoffice.copy_export import export_select
    from backoffice.exports import ExportFormat, write_export_file
    from customers.models import Customer
    from customers.tables import CustomerTable

    queryset = Customer.objects.order_by("-created_at")  # the list's default order
    rows = queryset.count()
    select, params = export_select(CustomerTable, queryset)
    connection = connections["default"]

    def export():
        with tempfile.TemporaryFile() as scratch:
            for _ in write_export_file(ExportFormat.CSV, CustomerTable, queryset, scratch):
                pass

    def plain_copy():
        statement = connection.ops.compose_sql(
            f"COPY ({select}) TO STDOUT WITH (FORMAT csv, HEADER)", params
        )
        with connection.cursor() as cursor:
            cursor.execute("SET work_mem = '256MB'")  # the export's own settings
            cursor.execute("SET jit = off")
            with cursor.copy(statement) as copy:
                for _ in copy:
                    pass

    def python_path():
        with tempfile.TemporaryFile() as scratch:
            for line in CustomerTable.csv_lines(queryset):
                scratch.write(line.encode())

    print(f"{machine()}; {rows:,} customers")
    results = [("Export (COPY, line ends, file)", timed(export, args.repeats))]
    results.append(("Plain COPY of the same SELECT", timed(plain_copy, args.repeats)))
    if args.python:
        results.append(("Python path (SQLite's)", timed(python_path, 1)))
    print("\n| Path | Median s | Best s | Rows/s (median) |\n|---|---:|---:|---:|")
    for name, (median, best) in results:
        print(f"| {name} | {median:.1f} | {best:.1f} | {rows / median:,.0f} |")
    print(f"\nExport / plain COPY: {results[0][1][0] / results[1][1][0]:.2f}x")


if __name__ == "__main__":
    main()
