"""Benchmark the customer pages, Django admin and the exports at a stated data size.

    .venv/bin/python bench/run.py --db sqlite --customers 1000000
    .venv/bin/python bench/run.py --db postgres --customers 1000000

Seeds a database of that size with ``seed_demo`` (40 stores) the first time, and reuses it
after: ``bench/data/customers-N.sqlite3``, or the PostgreSQL database ``bench_N`` on
``BENCH_POSTGRES`` (default ``postgresql://postgres@127.0.0.1:5432``). N is the seeded
size: each run's create request adds a few customers to it. ``--sales M`` gives it M sales
(``seed_demo --sales``), added to a database seeded before without them. Requests go through
Django's test client in this process, with production settings (DEBUG off): the times are
server time, no network. Each request is made ``--warmup`` times, then timed ``--repeats``
times; one more request counts its SQL queries and one more traces its peak Python memory.
Searches and lists are also compared with a stock Django admin changelist on the same data
(``bench/stock_admin.py``), the CSV export with PostgreSQL's ``COPY`` of the same columns.
The Excel workbook export is timed too, all rows in one request (in production, a workbook
of more than ``EXPORT_WORKBOOK_LIMIT`` rows is written by a job, with the same code). Each
export runs in a child process, so that its peak memory is the whole process's.
Prints Markdown tables for ``bench/RESULTS.md``.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]


def configure(args):
    """The environment of the settings module, before Django starts."""
    if args.db == "sqlite":
        (BENCH / "data").mkdir(exist_ok=True)
        url = f"sqlite:///{BENCH / 'data' / f'customers-{args.customers}.sqlite3'}"
    else:
        server = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
        url = f"{server}/bench_{args.customers}"
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="backoffice.settings",
        DEBUG="0",
        SECRET_KEY="bench-only-not-a-secret",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(BENCH / "data" / "static"),
        AXES_ENABLED="0",
        DATABASE_CONN_MAX_AGE="600",
    )
    return url


def prepare_database(args, url):
    """Create and migrate the database, and seed it unless it was seeded before (the demo
    account is the last thing ``seed_demo`` writes)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from customers.management.commands.seed_demo import DEMO_USERNAME
    from sales.seeding import demo_sales

    if args.db == "postgres":
        create_postgres_database(url)
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    if not get_user_model().objects.filter(username=DEMO_USERNAME).exists():
        started = time.perf_counter()
        call_command(
            "seed_demo", customers=args.customers, sales=args.sales, stores=40, seed=args.seed,
            jobs=os.cpu_count(),
        )  # fmt: skip
        print(
            f"Seeded {args.customers:,} customers and {args.sales:,} sales "
            f"in {time.perf_counter() - started:.0f} s"
        )
    elif (missing := args.sales - demo_sales().count()) > 0:
        started = time.perf_counter()
        call_command(
            "seed_demo", add=True, customers=0, sales=missing, seed=args.seed,
            jobs=os.cpu_count(),
        )  # fmt: skip
        print(f"Seeded {missing:,} sales in {time.perf_counter() - started:.0f} s")
    else:
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def create_postgres_database(url):
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


def bench_user():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, created = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    if created:
        user.groups.add(Group.objects.get(name="Managers"))
    return user


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def timed(request, repeats, warmup):
    """(p50 ms, p95 ms, queries, peak Python MiB) of ``request()``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        request()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        request()
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        request()
    queries = len(captured)
    tracemalloc.start()
    request()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    p50 = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20, method="inclusive")[18] if repeats > 1 else p50
    return p50, p95, queries, peak


def getter(client, url):
    def request():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return request


def next_page_url(client, url):
    found = re.search(r'rel="next" href="([^"]*)"', client.get(url).content.decode())
    return "/customers/" + unescape(found.group(1))


def form_post(client, url, changes):
    """A request that loads the form at ``url``, changes it and saves it (one timed request
    is the GET and the POST, as a user's save is)."""
    from tests.forms import form_data

    counter = iter(range(10**9))

    def request():
        data = form_data(client.get(url), "customer-form")
        data.update({name: value(next(counter)) for name, value in changes.items()})
        response = client.post(url, data)
        assert response.status_code == 302, (url, response.status_code, response.content[:300])

    return request


def requests(client, args):
    """(label, request, baseline request or None)."""
    from customers.models import Customer
    from stores.models import Store

    sample = Customer.objects.order_by("pk")[args.customers // 2]
    store = Store.objects.order_by("pk")[10]
    stock = "/stock-admin/customers/customer/"
    first_page = "/customers/?store=all"
    yield "list, page 1", getter(client, first_page), getter(client, stock)
    yield "list, page 2 (Next)", getter(client, next_page_url(client, first_page)), None
    yield "list, last page", getter(client, "/customers/?store=all&page=last"), None
    yield "list, page 10000 (an old link)", getter(client, f"{first_page}&page=10000"), None
    yield (
        "search, a first name 5% share",
        getter(client, "/customers/?q=Amelia"),
        getter(client, f"{stock}?q=Amelia"),
    )
    yield (
        "search, part of a last name",
        getter(client, "/customers/?q=akamu"),
        getter(client, f"{stock}?q=akamu"),
    )
    yield (
        "search, exact email",
        getter(client, f"/customers/?q={sample.email}"),
        getter(client, f"{stock}?q={sample.email}"),
    )
    yield (
        "search, phone number",
        getter(client, f"/customers/?q={sample.phone.as_e164.replace('+', '%2B')}"),
        getter(client, f"{stock}?q={sample.phone.as_e164.replace('+', '%2B')}"),
    )
    yield (
        "search, four digits (a customer number, and phones ending so)",
        getter(client, f"/customers/?q={sample.phone.as_e164[-4:]}"),
        None,
    )
    yield "filter, loyalty enrolled", getter(client, "/customers/?loyalty=enrolled"), None
    yield "filter, one store", getter(client, f"/customers/?store={store.code}"), None
    yield (
        "filter, store + business, by balance",
        getter(client, f"/customers/?store={store.code}&type=business&sort=-balance"),
        None,
    )
    yield "sort by name", getter(client, "/customers/?store=all&sort=name"), None
    yield "sort by name, last page", getter(client, "/customers/?sort=name&page=last"), None
    yield "sort by balance, descending", getter(client, "/customers/?sort=-balance"), None
    yield "customer page (with its latest sales)", getter(client, f"/customers/{sample.pk}/"), None
    yield "customer's sales, first page", getter(client, f"/customers/{sample.pk}/sales/"), None
    member = Customer.objects.filter(pk__gte=sample.pk, loyalty_account__enrolled=True)
    yield from api_requests(member.order_by("pk").first())
    yield (
        "create a customer (form + save)",
        form_post(
            client,
            "/customers/new/",
            {
                "first_name": lambda n: "Bench",
                "last_name": lambda n: f"Created{n}",
                "email": lambda n: f"bench.created.{time.time_ns()}.{n}@example.com",
                "stores": lambda n: [str(store.pk)],
            },
        ),
        None,
    )
    yield (
        "update a customer (form + save)",
        form_post(client, f"/customers/{sample.pk}/edit/", {"city": lambda n: f"City {n}"}),
        None,
    )
    yield from cashier_requests(store, sample)
    admin = "/admin/customers/customer/"
    yield "Django admin changelist", getter(client, admin), getter(client, stock)
    yield (
        "Django admin search, first name",
        getter(client, f"{admin}?q=Amelia"),
        getter(client, f"{stock}?q=Amelia"),
    )
    yield (
        "Django admin search, exact email",
        getter(client, f"{admin}?q={sample.email}"),
        getter(client, f"{stock}?q={sample.email}"),
    )


def cashier_requests(store, elsewhere):
    """A cashier who holds ``store`` alone (issue 24): their list, tiles and searches, and
    another store's customer found by email. Then the cost of the "Viewed" event that
    every customer page writes, alone."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from backoffice import audit
    from customers.models import Customer
    from stores.services import staff_stores_set

    cashier, _ = get_user_model().objects.get_or_create(username="bench-cashier")
    cashier.groups.add(Group.objects.get(name="Store staff"))
    staff_stores_set(user=cashier, stores=[store], actor=audit.Actor("bench"))
    client = client_for(cashier)
    elsewhere = Customer.objects.exclude(stores=store).filter(pk__gte=elsewhere.pk).first()
    yield "cashier: list of their store, with tiles", getter(client, "/customers/"), None
    yield "cashier: list, page 2 (Next)", getter(client, next_page_url(client, "/customers/")), None
    yield "cashier: search, a first name 5% share", getter(client, "/customers/?q=Amelia"), None
    yield "cashier: search, part of a last name", getter(client, "/customers/?q=akamu"), None
    yield "cashier: sort by name", getter(client, "/customers/?sort=name"), None
    yield (
        "cashier: another store's customer by email",
        getter(client, f"/customers/?q={elsewhere.email}"),
        None,
    )
    yield (
        "the 'Viewed' event alone (one insert)",
        lambda: audit.record(
            user=cashier, action=audit.Action.VIEW, obj=elsewhere, summary="Viewed"
        ),
        None,
    )


def bench_register(name, store):
    """The register ``name`` of ``store``, created or given a new key, and its key."""
    from backoffice.audit import Actor
    from registers.models import Register
    from registers.services import register_create, register_reactivate

    register = Register.objects.filter(name=name, store=store).first()
    if register is None:
        return register_create(name=name, store=store, actor=Actor("bench"))
    return register, register_reactivate(register=register, actor=Actor("bench"))


def api_requests(sample):
    """A register's requests: finding ``sample`` (a loyalty member) each way a till does,
    reading them, and recording a sale with points redeemed and a house account charge."""
    from django.test import Client
    from django.utils import timezone

    from backoffice.audit import Actor
    from house_accounts.models import HouseAccount
    from house_accounts.services import house_account_open
    from loyalty.models import LoyaltyCard

    _, key = bench_register("Bench", sample.stores.first())
    till = Client(headers={"Authorization": f"Bearer {key}", "Register-Device": "bench-till"})
    card = LoyaltyCard.objects.filter(customer__isnull=False).first()
    house_account = sample.house_accounts.first() or house_account_open(
        account=HouseAccount(customer=sample, account_number=f"BENCH{sample.pk}"),
        opening_balance=0, actor=Actor("bench"),
    )  # fmt: skip
    for label, query in [
        ("phone", str(sample.phone)), ("email", sample.email), ("card code", card.code),
        ("name", sample.full_name),
    ]:  # fmt: skip
        yield (
            f"API: find by {label}",
            getter(till, f"/api/v1/customers/?{urlencode({'q': query})}"),
            None,
        )
    yield "API: customer", getter(till, f"/api/v1/customers/{sample.pk}/"), None
    receipts = iter(range(10**9))

    def record_sale():
        sale = {
            "id": f"bench-{time.time_ns()}-{next(receipts)}", "customer": sample.pk,
            "total": "24.90", "occurred_at": timezone.now().isoformat(), "points_redeemed": 10,
            "house_account": house_account.account_number, "house_account_amount": "4.90",
        }  # fmt: skip
        response = till.post("/api/v1/sales/", sale, content_type="application/json")
        assert response.status_code == 201, response.content

    yield "API: record a sale (points + house account)", record_sale, None


EXPORT_URLS = {"csv": "/customers/export.csv?store=all", "xlsx": "/customers/export.xlsx?store=all"}


def export_in_child(args, file_format):
    """Run an export in a child process: (seconds, lines, bytes, peak RSS MiB)."""
    command = [sys.executable, __file__, "--db", args.db, "--customers", str(args.customers)]
    output = subprocess.run(
        [*command, "--export-only", file_format], capture_output=True, text=True
    )
    if output.returncode:
        raise SystemExit(output.stderr)
    return json.loads(output.stdout.strip().splitlines()[-1])


def export_only(user, file_format):
    from django.conf import settings

    settings.EXPORT_WORKBOOK_LIMIT = settings.EXPORT_STREAM_LIMIT = 10**9
    client = client_for(user)
    started = time.perf_counter()
    response = client.get(EXPORT_URLS[file_format])
    size = lines = 0
    for block in response.streaming_content:
        size += len(block)
        lines += block.count(b"\n")
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "lines": lines, "bytes": size, "peak_mib": peak_rss()}))


def peak_rss():
    """This process's peak resident memory in MiB. Not ``getrusage``'s ``ru_maxrss``, which
    Linux carries over from the parent through exec (it reported the benchmark's own peak)."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


COPY_SQL = """
COPY (
  SELECT c.id, c.customer_type, c.first_name, c.last_name, c.company_name, c.email, c.phone,
         c.gender, c.date_of_birth, c.nationality, c.anniversary, c.gate_code, c.id_number,
         c.notes,
         (SELECT string_agg(s.code, ';' ORDER BY s.code)
            FROM customers_customer_stores cs JOIN stores_store s ON s.id = cs.store_id
           WHERE cs.customer_id = c.id),
         COALESCE(l.enrolled, false), l.balance, c.address_line1, c.address_line2, c.city,
         c.state, c.zip_code, c.country, c.created_at, c.updated_at, c.last_sale_at,
         c.sale_count, c.total_spent
    FROM customers_customer c LEFT JOIN loyalty_loyaltyaccount l ON l.customer_id = c.id
   WHERE c.deleted_at IS NULL
   ORDER BY c.created_at DESC, c.id DESC
) TO STDOUT WITH CSV HEADER
"""


def copy_seconds():
    """PostgreSQL's own CSV of the export's columns, read to the end by this process."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor, cursor.cursor.copy(COPY_SQL) as copy:
        for _ in copy:
            pass
    return time.perf_counter() - started


def machine():
    from django import get_version
    from django.db import connection

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    if connection.vendor == "postgresql":
        database = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    else:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    return (
        f"{os.cpu_count()} x {cpu}, {memory_kib / 2**20:.0f} GiB; Python "
        f"{platform.python_version()}, Django {get_version()}, {database}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--sales", type=int, default=0, help="Sales the database should have (seed_demo --sales)."
    )
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument(
        "--only", default="", help="Time only the requests whose label starts with this."
    )
    parser.add_argument(
        "--prepare-only",
        action="store_true",
        help="Create, migrate and seed the database, then stop: time it later on an idle machine.",
    )
    parser.add_argument("--export-only", choices=sorted(EXPORT_URLS), help=argparse.SUPPRESS)
    args = parser.parse_args()

    url = configure(args)
    import django

    django.setup()
    from django.conf import settings

    settings.ROOT_URLCONF = "stock_admin"
    if args.export_only:
        export_only(bench_user(), args.export_only)
        return
    prepare_database(args, url)
    if args.prepare_only:
        return
    user = bench_user()
    client = client_for(user)
    print(f"\n{args.customers:,} customers, 40 stores; {machine()}")
    print(f"p50/p95 of {args.repeats} requests after {args.warmup} warm-up\n")
    print("| request | p50 | p95 | queries | peak Python memory | stock admin p50 | ratio |")
    print("|---|---|---|---|---|---|---|")
    for label, request, baseline in requests(client, args):
        if not label.startswith(args.only):
            continue
        p50, p95, queries, peak = timed(request, args.repeats, args.warmup)
        compared = ""
        if baseline:
            base = timed(baseline, max(3, args.repeats // 4), 1)[0]
            compared = f"{base:,.0f} ms | {p50 / base:.2f}x"
        else:
            compared = "| "
        print(
            f"| {label} | {p50:,.1f} ms | {p95:,.1f} ms | {queries} | {peak:.1f} MiB | "
            f"{compared} |",
            flush=True,
        )
    if args.skip_export:
        return
    export = export_in_child(args, "csv")
    rows = export["lines"] - 1
    line = (
        f"\nCSV export, all {rows:,} rows: {export['seconds']:.1f} s, "
        f"{rows / export['seconds']:,.0f} rows/s, {export['bytes'] / 2**20:,.1f} MiB, "
        f"peak process memory {export['peak_mib']:.0f} MiB"
    )
    if args.db == "postgres":
        copy = copy_seconds()
        line += f"; COPY of the same columns {copy:.1f} s, ratio {export['seconds'] / copy:.2f}x"
    print(line)
    workbook = export_in_child(args, "xlsx")
    print(
        f"Excel workbook export, all {rows:,} rows: {workbook['seconds']:.1f} s, "
        f"{rows / workbook['seconds']:,.0f} rows/s, {workbook['bytes'] / 2**20:,.1f} MiB, "
        f"peak process memory {workbook['peak_mib']:.0f} MiB"
    )


if __name__ == "__main__":
    main()
