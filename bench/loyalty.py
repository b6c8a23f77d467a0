"""Benchmark loyalty at a stated data size: the pages, an adjustment, the search by card
code, and ``check_loyalty`` over every account.

    .venv/bin/python bench/loyalty.py --db postgres --customers 1000000
    .venv/bin/python bench/loyalty.py --db sqlite --customers 1000000

Uses the databases of ``bench/run.py`` (seeded the first time: about 60% of the customers
are loyalty members with an opening entry each). The others get an account out of the
programme, as saving a customer through the app opens one: N customers, N accounts.
``check_loyalty`` runs in a child process, so that its peak memory is the whole
process's. Prints Markdown tables for ``bench/RESULTS.md``.
"""

import argparse
import json
import subprocess
import sys
import time

from run import (
    bench_user,
    client_for,
    configure,
    getter,
    machine,
    peak_rss,
    prepare_database,
    timed,
)


def account_for_everyone():
    """Open the accounts the seed leaves out (customers outside the programme), in SQL."""
    from django.db import connection

    from customers.models import Customer
    from loyalty.models import LoyaltyAccount

    accounts, customers = LoyaltyAccount._meta.db_table, Customer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {accounts} (customer_id, enrolled, balance, version, updated_at) "
            f"SELECT c.id, %s, 0, 0, c.created_at FROM {customers} c "
            f"WHERE NOT EXISTS (SELECT 1 FROM {accounts} a WHERE a.customer_id = c.id)",
            [False],
        )
        if cursor.rowcount:
            print(f"Opened {cursor.rowcount:,} accounts out of the programme")
            cursor.execute("ANALYZE")


def adjuster(client, customer):
    """A request that opens the adjustment page and saves +1 point, as a clerk does."""

    def request():
        url = f"/loyalty/customers/{customer.pk}/adjust/"
        assert client.get(url).status_code == 200
        response = client.post(url, {"delta": "1", "reason": "purchase", "note": ""})
        assert response.status_code == 302, response.content[:300]

    return request


def requests(client, args):
    from backoffice.audit import Actor
    from customers.models import Customer
    from loyalty.models import LoyaltyCard
    from loyalty.services import card_assign, card_batch_generate

    members = Customer.objects.filter(loyalty_points__isnull=False).order_by("pk")
    sample = members[members.count() // 2]
    card = getattr(sample, "loyalty_card", None)
    if card is None:
        code = card_batch_generate(size=1, actor=Actor("bench")).cards.get().code
        card = card_assign(customer=sample, code=code, actor=Actor("bench"))
    assert LoyaltyCard.objects.filter(customer=sample).exists()
    yield "customer page with its loyalty history", getter(client, f"/customers/{sample.pk}/")
    yield "loyalty history page", getter(client, f"/loyalty/customers/{sample.pk}/")
    yield "adjust points (page + save)", adjuster(client, sample)
    yield "search by loyalty card code", getter(client, f"/customers/?q={card.code}&store=all")


def check_in_child(args):
    command = [sys.executable, __file__, "--db", args.db, "--customers", str(args.customers)]
    output = subprocess.run([*command, "--check-only"], capture_output=True, text=True)
    if output.returncode:
        raise SystemExit(output.stderr)
    return json.loads(output.stdout.strip().splitlines()[-1])


def check_only():
    from io import StringIO

    from django.core.management import call_command

    from loyalty.models import LoyaltyAccount

    started = time.perf_counter()
    report = StringIO()
    call_command("check_loyalty", stdout=report)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "accounts": LoyaltyAccount.objects.count(),
                "peak_mib": peak_rss(),
                "report": report.getvalue().strip(),
            }
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--check-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    url = configure(args)
    import django

    django.setup()
    if args.check_only:
        check_only()
        return
    prepare_database(args, url)
    account_for_everyone()
    client = client_for(bench_user())
    print(f"\n{args.customers:,} customers, 40 stores; {machine()}")
    print(f"p50/p95 of {args.repeats} requests after {args.warmup} warm-up\n")
    print("| request | p50 | p95 | queries | peak Python memory |")
    print("|---|---|---|---|---|")
    for label, request in requests(client, args):
        p50, p95, queries, peak = timed(request, args.repeats, args.warmup)
        print(f"| {label} | {p50:,.1f} ms | {p95:,.1f} ms | {queries} | {peak:.1f} MiB |")
    check = check_in_child(args)
    print(
        f"\ncheck_loyalty, {check['accounts']:,} accounts: {check['seconds']:.1f} s, "
        f"peak process memory {check['peak_mib']:.0f} MiB ({check['report']})"
    )


if __name__ == "__main__":
    main()
