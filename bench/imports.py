"""Benchmark importing customers: the dry run and the commit of a file of N new customers
into an empty database, each in a child process (its peak memory is the whole process's).

    .venv/bin/python bench/imports.py --db sqlite --customers 100000
    .venv/bin/python bench/imports.py --db postgres --customers 1000000

The file is the export of ``bench/run.py``'s database of that size (seeded the first time),
written once to ``bench/data/import-N.csv``. The target is a new database with the same
40 stores and no customers: ``bench/data/import-target.sqlite3``, or ``bench_import_target``
on the local PostgreSQL. Prints a Markdown table for ``bench/RESULTS.md``.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
SERVER = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")

CHILD = """
import json, re, sys, time
from pathlib import Path
import django
django.setup()
from django.core.management import call_command
from backoffice.audit import Actor
from imports import pipeline
started = time.perf_counter()
try:
    # The import's two jobs: the dry run at upload, keeping the rows as checked, and the
    # writing when Import is pressed.
    if sys.argv[1] in ("check", "write"):
        step, source, kept = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
        options = pipeline.Options(match="email", max_bytes=None)
        if step == "check":
            findings = pipeline.dry_run(source, source.name, options, keep=kept)
            assert findings.counts["error"] == 0, findings.errors[:5]
        else:
            pipeline.write(source, source.name, options, actor=Actor("bench"), kept=kept)
    else:
        call_command(*sys.argv[1:])
    failed = ""
except SystemExit as stop:
    failed = f"exit {stop.code}"
except Exception as error:
    failed = str(error)[:300]
seconds = time.perf_counter() - started
peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text()).group(1)) / 1024
print(json.dumps({"seconds": seconds, "peak_mib": peak, "failed": failed}))
"""


def database_url(db, name):
    """``bench/run.py``'s naming: ``bench/data/NAME.sqlite3``, or ``bench_NAME``."""
    if db == "sqlite":
        return f"sqlite:///{BENCH / 'data' / f'{name}.sqlite3'}"
    return f"{SERVER}/bench_{name}"


def in_child(url, *command, quiet=False):
    """Run a management command in a child process on the database at ``url``."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "backoffice.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-a-secret",
        "ALLOWED_HOSTS": "testserver",
        "STATIC_ROOT": str(BENCH / "data" / "static"),
    }
    output = subprocess.run(
        [sys.executable, "-c", CHILD, *command],
        capture_output=True, text=True, env=env, cwd=PROJECT,
    )  # fmt: skip
    if output.returncode:
        raise SystemExit(output.stderr[-2000:])
    result = json.loads(output.stdout.strip().splitlines()[-1])
    if result["failed"] and not quiet:
        raise SystemExit(f"{command}: {result['failed']}\n{output.stderr[-2000:]}")
    return result


def fresh_target(db):
    """An empty database with the demo's 40 stores."""
    url = database_url(db, "import_target")
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{BENCH / 'data' / 'import_target.sqlite3'}{suffix}").unlink(missing_ok=True)
    else:
        import psycopg

        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS bench_import_target")
            admin.execute("CREATE DATABASE bench_import_target")
    in_child(url, "migrate", "--verbosity", "0")
    in_child(url, "seed_demo", "--customers", "0", "--stores", "40")
    return url


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument(
        "--steps", default="check,write",
        help="check,write (default), or write alone, from the rows a check run kept",
    )  # fmt: skip
    args = parser.parse_args()
    (BENCH / "data").mkdir(exist_ok=True)
    source = BENCH / "data" / f"import-{args.customers}.csv"
    if not source.exists():
        seeded = subprocess.run(
            [sys.executable, str(BENCH / "run.py"), "--db", args.db, "--customers",
             str(args.customers), "--repeats", "1", "--warmup", "0", "--skip-export"],
            capture_output=True, text=True,
        )  # fmt: skip
        if seeded.returncode:
            raise SystemExit(seeded.stderr[-2000:])
        name = f"customers-{args.customers}" if args.db == "sqlite" else str(args.customers)
        in_child(database_url(args.db, name), "export_customers", "--output", str(source))
    size = source.stat().st_size / 2**20
    print(f"\n{args.customers:,} new customers, {size:,.0f} MiB CSV, into an empty {args.db}")
    print("\n| step | time | rows/s | peak process memory |\n|---|---|---|---|")
    target = fresh_target(args.db)
    kept = BENCH / "data" / f"import-{args.customers}.checked.gz"
    steps = (
        ("dry run (the upload's job)", "check"),
        ("commit (the Import button's job)", "write"),
    )
    for label, step in steps:
        if step not in args.steps.split(","):
            continue
        started = time.perf_counter()
        result = in_child(target, step, str(source), str(kept))
        seconds = time.perf_counter() - started
        print(
            f"| {label} | {seconds:,.0f} s | {args.customers / seconds:,.0f} | "
            f"{result['peak_mib']:,.0f} MiB |",
            flush=True,
        )


if __name__ == "__main__":
    main()
