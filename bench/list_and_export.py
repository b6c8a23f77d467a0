"""Benchmark the customer list page and the CSV export at a stated data size.

    .venv/bin/python bench/list_and_export.py --customers 20000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/backoffice .venv/bin/python bench/...

Builds a throwaway test database (never the development one), fills it with customers in
bulk, then prints for each request: the median wall time over the repeats, the number of SQL
queries, and the peak Python memory allocated while serving it (tracemalloc).
"""

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.signals import request_finished  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
)
from django.utils import timezone  # noqa: E402

from customers.models import Customer  # noqa: E402
from loyalty.models import LoyaltyAccount  # noqa: E402
from stores.models import Store  # noqa: E402


def populate(count):
    stores = [Store.objects.create(name=f"Store {n}", code=f"S{n:02d}") for n in range(5)]
    now = timezone.now()
    batch = 2000
    for start in range(0, count, batch):
        customers = Customer.objects.bulk_create(
            Customer(
                first_name=f"First{n}",
                last_name=f"Last{n}",
                email=f"customer{n}@example.com",
                phone=f"+1512{n:07d}",
                customer_type="business" if n % 7 == 0 else "personal",
                company_name=f"Company {n}" if n % 7 == 0 else "",
                notes="=not a formula" if n % 50 == 0 else "",
                city="Austin",
                country="US",
                created_at=now - timezone.timedelta(minutes=n),
            )
            for n in range(start, min(start + batch, count))
        )
        Customer.stores.through.objects.bulk_create(
            Customer.stores.through(customer_id=c.pk, store_id=stores[c.pk % 5].pk)
            for c in customers
        )
        LoyaltyAccount.objects.bulk_create(
            LoyaltyAccount(customer=c, enrolled=c.pk % 2 == 0, balance=c.pk % 1000)
            for c in customers
        )


def fetch(client, url, streaming):
    response = client.get(url, follow=True)  # a too-long search redirects to the one made
    assert response.status_code == 200, (url, response.status_code)
    if streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def measure(client, url, repeats, streaming=False):
    """Time the plain requests; count queries and trace memory on one more, since both
    instruments slow the request down."""
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        size = fetch(client, url, streaming)
        timings.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        fetch(client, url, streaming)
    queries = len(captured)  # read now: the next request clears the connection's log
    tracemalloc.start()
    fetch(client, url, streaming)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(timings), queries, peak, size


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    setup_test_environment(debug=False)
    # Keep the one connection to the test database open between requests, as the test
    # client does in tests.
    request_finished.disconnect(close_old_connections)
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        started = time.perf_counter()
        populate(args.customers)
        print(
            f"{connection.vendor}: {args.customers} customers, 5 stores, loaded in "
            f"{time.perf_counter() - started:.1f} s; median of {args.repeats} requests"
        )
        user = User.objects.create_user("bench")
        user.groups.add(Group.objects.get(name="Managers"))
        client = Client()
        client.force_login(user)
        rows = [
            ("list, first page", "/customers/", False),
            ("list, search 'last12'", "/customers/?q=last12", False),
            ("list, business, by balance", "/customers/?type=business&sort=-balance", False),
            ("list, last page", f"/customers/?page={args.customers // 50}", False),
            # A hostile search: 2,000 one-letter words (28 s of CPU before the cap, issue 11),
            # now a redirect to the first 8 words and that search; both requests are timed.
            ("list, search 2,000 words", "/customers/?q=" + "+".join(["a"] * 2000), False),
            ("export, all customers", "/customers/export.csv", True),
            ("export, business only", "/customers/export.csv?type=business", True),
        ]
        print(f"{'request':32} {'median ms':>10} {'queries':>8} {'peak MiB':>9} {'bytes':>11}")
        for label, url, streaming in rows:
            median, queries, peak, size = measure(client, url, args.repeats, streaming)
            print(f"{label:32} {median * 1000:10.1f} {queries:8d} {peak / 2**20:9.1f} {size:11d}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
