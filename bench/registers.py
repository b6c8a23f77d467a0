"""Registers at work: tills finding customers and recording sales through gunicorn.

    .venv/bin/python bench/registers.py --db postgres --customers 1000000 [--registers 16]

Uses the database bench/run.py seeded for that size (run that first, with ``--sales``).
Creates ``--registers`` registers round the stores, picks ``--sample`` customers of those
stores, gives one in four a house account without limits and one in four a loyalty card,
serves the project with gunicorn as bench/load.py does (over plain HTTP, as behind a
proxy that ends TLS), and runs
bench/registers_locustfile.py headless: each register finds a customer (by phone, email,
card code or name), reads them and records a sale, and sends half of its sales twice.

Then it checks what the tills were told against the database: each sale answered 201 is
recorded once, and nothing else is; every balance equals the sum of its ledger
(``check_balances``). Prints a Markdown table per request and the sales per second.
"""

import argparse
import csv
import json
import random
import sys
import tempfile
from decimal import Decimal
from io import StringIO
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

from load import run_locust, served  # noqa: E402
from run import bench_register, configure  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--registers", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument(
        "--lookups", default="phone,email,card,name",
        help="How the tills find customers, taken at random for each sale.",
    )  # fmt: skip
    args = parser.parse_args()
    args.users = args.registers
    configure(args)
    import django

    django.setup()
    from django.utils import timezone

    registers, keys = open_registers(args.registers)
    customers = sample_customers(registers, args.sample)
    started, counted_before = timezone.now(), sales_counted()
    with tempfile.TemporaryDirectory() as scratch:
        people, receipts = Path(scratch, "customers.json"), Path(scratch, "receipts")
        people.write_text(json.dumps(customers))
        with served(
            args, scratch, tls=False,
            REGISTER_KEYS=",".join(keys), BENCH_CUSTOMERS=str(people),
            BENCH_RECEIPTS=str(receipts), BENCH_LOOKUPS=args.lookups,
            API_THROTTLE_RATE="100000/min",
        ) as (host, environment):  # fmt: skip
            stats = run_locust("registers_locustfile.py", args, host, environment, scratch)
            rows = list(csv.DictReader(stats.open()))
        answered = receipts.read_text().split()
    report(args, rows)
    check(args, answered, registers, started, counted_before)


def open_registers(count):
    """``count`` registers, round the stores, with new keys."""
    from stores.models import Store

    stores = list(Store.objects.order_by("pk"))
    opened = [
        bench_register(f"Bench till {number + 1}", stores[number % len(stores)])
        for number in range(count)
    ]
    return [register for register, _ in opened], [key for _, key in opened]


def sample_customers(registers, size):
    """``size`` customers of the registers' stores, picked at random, as the tills know
    them; one in four gets a house account without limits, one in four a loyalty card."""
    from backoffice.audit import Actor
    from customers.models import Customer
    from house_accounts.models import HouseAccount
    from house_accounts.services import house_account_open
    from loyalty.models import LoyaltyCard
    from loyalty.services import card_assign, card_batch_generate

    rng = random.Random(23)
    highest = Customer.objects.order_by("-pk").values_list("pk", flat=True).first()
    candidates = rng.sample(range(1, highest + 1), k=min(highest, size * 4))
    customers = list(
        Customer.objects.filter(
            pk__in=candidates, stores__in=[register.store_id for register in registers]
        )
        .distinct()
        .order_by("pk")[:size]
    )
    cards = iter(
        card_batch_generate(size=len(customers) // 4 + 1, actor=Actor("bench")).cards.all()
    )
    for number, customer in enumerate(customers):
        if number % 4 == 1 and not customer.house_accounts.exists():
            house_account_open(
                account=HouseAccount(customer=customer, account_number=f"BENCH{customer.pk}"),
                opening_balance=Decimal("0.00"),
                actor=Actor("bench"),
            )
        if number % 4 == 2 and not LoyaltyCard.objects.filter(customer=customer).exists():
            card_assign(customer=customer, code=next(cards).code, actor=Actor("bench"))
    card_of = dict(
        LoyaltyCard.objects.filter(customer__in=customers).values_list("customer", "code")
    )
    return [
        {"id": customer.pk, "email": customer.email, "phone": str(customer.phone),
         "card": card_of.get(customer.pk, ""), "name": customer.full_name}
        for customer in customers
    ]  # fmt: skip


def sales_counted():
    """The sales as the stores' days and the customers' visits count them."""
    from django.db.models import Sum

    from customers.models import Customer
    from sales.models import StoreDay

    return (
        StoreDay.objects.aggregate(sales=Sum("sales"))["sales"] or 0,
        Customer.all_objects.aggregate(visits=Sum("sale_count"))["visits"] or 0,
    )


def report(args, rows):
    print(
        f"\n{args.registers} registers for {args.seconds} s, {args.customers:,} customers on "
        f"{args.db}, gunicorn with {args.workers} workers, finding customers by "
        f"{args.lookups}\n"
    )
    print("| request | requests | errors | requests/s | p50 | p95 |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
            f"{float(row['Requests/s']):.1f} | {row['50%']} ms | {row['95%']} ms |"
        )


def check(args, answered, registers, started, counted_before):
    """What the tills were told against the database: every sale answered 201 recorded,
    each sale counted once by the stores' days and the customers' visits however often
    it was sent, and every balance the sum of its ledger."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from sales.models import Sale

    recorded = set(
        Sale.objects.filter(register__in=registers, created_at__gte=started).values_list(
            "receipt_id", flat=True
        )
    )
    counted = [
        after - before for after, before in zip(sales_counted(), counted_before, strict=True)
    ]
    print(
        f"\nSales recorded: {len(recorded):,}, {len(recorded) / args.seconds:.1f} per second "
        f"({len(recorded - set(answered))} more than answered 201: in flight at the stop).\n"
        f"Every sale answered 201 recorded: {set(answered) <= recorded}. "
        f"Counted by the stores' days: {counted[0]:,}; by the customers' visits: {counted[1]:,}."
    )
    out = StringIO()
    try:
        call_command("check_balances", stdout=out, stderr=out)
    except CommandError as error:
        out.write(f"{error}\n")
    print(out.getvalue().strip())


if __name__ == "__main__":
    main()
