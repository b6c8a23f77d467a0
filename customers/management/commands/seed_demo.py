import itertools
import random
import unicodedata
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import phonenumbers
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from backoffice import bulk
from backoffice.audit import Actor
from backoffice.database import refresh_statistics
from customers import tallies
from customers.models import (
    Consent,
    ConsentEvent,
    ConsentLevel,
    ConsentSource,
    Customer,
    CustomerTally,
)
from house_accounts.models import HouseAccount
from house_accounts.services import house_account_charge, house_account_open
from loyalty.models import Reason
from loyalty.services import card_assign, card_batch_generate, open_accounts
from memberships.models import MembershipAccount, MembershipPlan, MembershipType
from memberships.services import membership_add_member, membership_charge, membership_open
from sales import seeding
from stores.models import StaffStore, Store

# The actor the demo data is written by, named in the audit trail.
SEED = Actor("manage.py seed_demo")

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "retail-demo-2026"
# A cashier of the first store, who sees that store's customers only.
DEMO_CASHIER_USERNAME = "cashier"
# One sheet of loyalty card codes (Avery 5160), a third of them handed out.
DEMO_CARDS = 30
DEMO_CARDS_HANDED_OUT = 10
# Memberships and house accounts of the demo (each membership with one member).
DEMO_ACCOUNTS = 5
DEMO_STORES = [("Downtown", "DT01"), ("Riverside Mall", "RV02"), ("Airport", "AP03")]
FIRST_NAMES = [
    "Amelia",
    "Noah",
    "Olivia",
    "Liam",
    "Sofia",
    "Mateo",
    "Chloé",
    "Hiro",
    "Aisha",
    "Lukas",
    "Isabel",
    "Omar",
    "Mei",
    "Jonas",
    "Priya",
    "Diego",
    "Freya",
    "Kwame",
    "Elena",
    "Tomás",
]
LAST_NAMES = [
    "García",
    "Smith",
    "Okafor",
    "Nakamura",
    "Müller",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Chen",
    "Silva",
    "Andersen",
    "Haddad",
    "Novak",
    "Murphy",
    "Patel",
    "O'Brien",
    "Jensen",
    "Costa",
]
CITIES = [
    ("Austin", "TX", "78701"),
    ("Portland", "OR", "97205"),
    ("Denver", "CO", "80202"),
    ("Boston", "MA", "02108"),
    ("Seattle", "WA", "98101"),
]
STREETS = ["Main St", "Oak Ave", "Pine Rd", "Maple Dr", "Cedar Ln", "Elm St"]
NATIONALITIES = ["US", "MX", "CA", "GB", "DE", "FR", "JP", "IN", "BR", "NG"]
# Where customers' phones come from: mostly local, some from abroad.
PHONE_REGIONS = ["US"] * 14 + ["CA", "MX", "GB", "DE", "FR", "JP"]
# The numbered stores' cities, with their time zones (the first three keep TIME_ZONE's).
STORE_CITIES = {
    "Austin": "America/Chicago", "Boston": "America/New_York", "Chicago": "America/Chicago",
    "Denver": "America/Denver", "El Paso": "America/Denver", "Fresno": "America/Los_Angeles",
    "Houston": "America/Chicago", "Irvine": "America/Los_Angeles",
    "Jackson": "America/Chicago", "Kansas City": "America/Chicago",
    "Lubbock": "America/Chicago", "Miami": "America/New_York", "Nashville": "America/Chicago",
    "Omaha": "America/Chicago", "Portland": "America/Los_Angeles",
    "Queens": "America/New_York", "Reno": "America/Los_Angeles",
    "Seattle": "America/Los_Angeles", "Tampa": "America/New_York", "Tucson": "America/Phoenix",
}  # fmt: skip
COMPANIES = ["Bluebird Catering", "Hill & Sons Builders", "Northwind Traders", "Lumen Studio"]


def ascii_email(text):
    """Chloé O'Brien -> chloe.obrien: Django's email validator wants an ASCII local part."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return folded.lower().replace("'", "")


def created_days_ago(rng, number):
    """Dates relative to today: one customer in five joined this month, the others over
    the last 400 days, so that every tile has something to count on any day."""
    if number % 5 == 0:
        return rng.randint(0, timezone.localdate().day - 1)
    return rng.randint(0, 400)


def phone_pool(rng, size=200):
    """Valid mobile numbers of each region in PHONE_REGIONS, as E.164 text: the region's
    example number with other last four digits (the form's own parser accepts each)."""
    pool = {}
    for region in set(PHONE_REGIONS):
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        national = str(example.national_number)
        pool[region] = [
            f"+{example.country_code}{national[:-4]}{rng.randint(0, 9999):04d}" for _ in range(size)
        ]
    return pool


def consent_of(number, given_at):
    """The demo's marketing consent, from the customer's number (the random draws of the
    other fields stay as they were): two in five subscribed to email, one in ten
    unsubscribed, one in four subscribed to SMS; all said at the counter when created."""
    email = {
        0: Consent.SUBSCRIBED,
        1: Consent.SUBSCRIBED,
        2: Consent.SUBSCRIBED,
        3: Consent.SUBSCRIBED,
        4: Consent.UNSUBSCRIBED,
    }.get(number % 10, Consent.NOT_ASKED)
    sms = Consent.SUBSCRIBED if number % 4 == 0 else Consent.NOT_ASKED
    consent = {}
    for channel, state in (("email", email), ("sms", sms)):
        said = state != Consent.NOT_ASKED
        consent |= {
            f"{channel}_consent": state,
            f"{channel}_consent_level": ConsentLevel.SINGLE if state == Consent.SUBSCRIBED else "",
            f"{channel}_consent_at": given_at if said else None,
            f"{channel}_consent_source": ConsentSource.FORM if said else "",
        }
    return consent


def demo_stores(count):
    """(name, code, time zone): the first three are the README's, in ``TIME_ZONE``; more
    are numbered, across the stores' cities, each in its city's zone."""
    stores = [(name, code, settings.TIME_ZONE) for name, code in DEMO_STORES]
    cities = list(STORE_CITIES.items())
    for number in range(len(stores) + 1, count + 1):
        city, zone = cities[number % len(cities)]
        stores.append((f"{city} {number}", f"S{number:03d}", zone))
    return stores[:count]


class Command(BaseCommand):
    help = (
        "Load demo data: stores, customers (one in seven a business, about 60% in the loyalty "
        "programme, with a ledger entry each), their sales at the stores' demo tills, and a "
        "'demo' manager account. Customers, and sales, are written in batches, each all or "
        "nothing, with a progress bar: Ctrl+C leaves whole batches only, and running the "
        "command again goes on. Does nothing if the demo account already exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=50, help="How many customers.")
        parser.add_argument("--stores", type=int, default=3, help="How many stores.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed.")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            help="Customers (or customers' sales) written per transaction.",
        )
        parser.add_argument(
            "--sales", type=int, default=0,
            help="How many sales, spread over the last 400 days among customers without any.",
        )  # fmt: skip
        parser.add_argument(
            "--jobs", type=int, default=1,
            help="Processes writing sales side by side, on PostgreSQL (SQLite writes alone).",
        )  # fmt: skip
        parser.add_argument(
            "--add", action="store_true",
            help="Add --customers more customers and --sales more sales to the demo data "
            "already loaded.",
        )  # fmt: skip

    def handle(self, *args, customers, stores, seed, batch_size, sales, jobs, add, **options):
        if customers < 0 or sales < 0 or stores < 1 or batch_size < 1 or jobs < 1:
            raise CommandError(
                "--customers and --sales must be 0 or more; --stores, --batch-size and --jobs "
                "1 or more."
            )
        User = get_user_model()
        demo_loaded = User.objects.filter(username=DEMO_USERNAME).exists()
        if demo_loaded and not add:
            self.stdout.write(
                "Demo data is already loaded: `seed_demo --add --customers N` adds N more."
            )
            return
        rng = random.Random(seed)
        with transaction.atomic():
            store_rows = [
                Store.objects.get_or_create(
                    code=code, defaults={"name": name, "country": "US", "time_zone": zone}
                )[0]
                for name, code, zone in demo_stores(stores)
            ]
        phones = phone_pool(rng)
        people = self.people(rng, customers)
        # An interrupted load left whole batches: go on after them. --add numbers the new
        # customers after every customer there is, so that their emails are new too.
        loaded = Customer.all_objects.count()
        target = loaded + customers if add else customers
        self.stderr.ending = ""  # the progress bar writes its own line endings
        with tqdm(
            total=target, initial=min(loaded, target), unit=" customers",
            disable=None, file=self.stderr,
        ) as progress:  # fmt: skip
            for start in range(loaded, target, batch_size):
                numbers = range(start + 1, min(start + batch_size, target) + 1)
                self.write_batch(rng, numbers, people, [store.pk for store in store_rows], phones)
                progress.update(len(numbers))
        if demo_loaded:  # --add: the cards, accounts and demo user are there already
            added = self.write_sales(sales, seed=seed, batch_size=batch_size, jobs=jobs)
            refresh_statistics()
            and_sales = f" and {added} sales" if sales else ""
            self.stdout.write(
                self.style.SUCCESS(f"Added {customers} customers ({target} now){and_sales}.")
            )
            return
        self.hand_out_cards()
        self.open_demo_accounts(store_rows[0])
        # An interrupted load wrote some of the sales: the rest are written now.
        self.write_sales(
            sales - seeding.demo_sales().count(), seed=seed, batch_size=batch_size, jobs=jobs
        )
        cashier = User.objects.create_user(
            DEMO_CASHIER_USERNAME,
            email="cashier@example.com",
            password=DEMO_PASSWORD,
            first_name="Cal",
            last_name="Cashier",
        )
        cashier.groups.add(Group.objects.get(name="Store staff"))
        StaffStore.objects.create(user=cashier, store=store_rows[0])
        # Last, so that an interrupted load is picked up again by running it once more.
        user = User.objects.create_user(
            DEMO_USERNAME,
            email="demo@example.com",
            password=DEMO_PASSWORD,
            first_name="Dana",
            last_name="Demo",
        )
        user.groups.add(Group.objects.get(name="Managers"))
        # Chain-wide: the demo shows every store's customers.
        user.user_permissions.add(Permission.objects.get(codename="view_all_stores"))
        refresh_statistics()
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {len(store_rows)} stores and {customers} customers. "
                f"Sign in as {DEMO_USERNAME} / {DEMO_PASSWORD} (every store), or as "
                f"{DEMO_CASHIER_USERNAME} / {DEMO_PASSWORD} ({store_rows[0].name} only)."
            )
        )

    def write_sales(self, count, *, seed, batch_size, jobs):
        """``count`` sales, a batch of customers per transaction, with a progress bar."""
        if count <= 0:
            return 0
        with tqdm(total=count, unit=" sales", disable=None, file=self.stderr) as progress:
            written = seeding.seed_sales(
                count, seed=seed, batch_size=batch_size, jobs=jobs, progress=progress.update
            )
        if written < count:
            self.stdout.write(
                f"Wrote {written} sales of {count}: every other customer has sales already."
            )
        return written

    @transaction.atomic
    def hand_out_cards(self):
        """A sheet of loyalty card codes, the first ones handed to loyalty members."""
        batch = card_batch_generate(size=DEMO_CARDS, actor=SEED)
        members = Customer.objects.filter(loyalty_points__isnull=False).order_by("pk")
        cards = batch.cards.order_by("pk").values_list("code", flat=True)
        for customer, code in zip(members[:DEMO_CARDS_HANDED_OUT], cards, strict=False):
            card_assign(customer=customer, code=code, actor=SEED)

    @transaction.atomic
    def open_demo_accounts(self, store):
        """A few memberships (each with a member) and house accounts, with some charges,
        for the demo's Membership and House Account pages."""
        people = list(Customer.objects.order_by("pk")[: DEMO_ACCOUNTS * 3])
        if len(people) < DEMO_ACCOUNTS * 3 or MembershipAccount.objects.exists():
            return  # too few customers, or opened by a load that was interrupted later
        family = MembershipType.objects.create(name="Family", description="Household members")
        staff = MembershipType.objects.create(name="Staff", price_level=3)
        plans = [
            MembershipPlan.objects.create(name=name, membership_type=kind, allowance=allowance,
                                          period=period, auto_renew=renew, tax_exempt=exempt)
            for name, kind, allowance, period, renew, exempt in [
                ("Family monthly", family, "50.00", "monthly", True, False),
                ("Family yearly", family, "500.00", "yearly", False, False),
                ("Staff quarterly", staff, "150.00", "quarterly", True, True),
            ]
        ]  # fmt: skip
        today = timezone.localdate()
        for number in range(DEMO_ACCOUNTS):
            holder, member, debtor = people[number * 3 : number * 3 + 3]
            account = membership_open(
                account=MembershipAccount(
                    customer=holder, plan=plans[number % len(plans)],
                    card_number=f"MEM{number + 1:04d}", issue_date=today.replace(day=1),
                ),
                actor=SEED,
            )  # fmt: skip
            membership_add_member(account=account, customer=member, actor=SEED)
            membership_charge(account=account, amount=Decimal("12.50") * (number + 1),
                              store=store, note="", actor=SEED)  # fmt: skip
            house = house_account_open(
                account=HouseAccount(
                    customer=debtor, account_number=f"HA{number + 1:04d}",
                    period_limit_enabled=True, limit_period="weekly",
                    limit_amount=Decimal("300.00"), week_starts_on=0,
                    max_limit_enabled=True, max_amount=Decimal("150.00"),
                ),
                opening_balance=Decimal("0.00"),
                actor=SEED,
            )  # fmt: skip
            house_account_charge(account=house, amount=Decimal("40.00") + number, store=store,
                                 reference=f"R{1000 + number}", note="", actor=SEED)  # fmt: skip

    def people(self, rng, customers):
        """Each full name once while they last (a small demo has no namesakes), then at
        random, as in a real chain."""
        unique = rng.sample(
            list(itertools.product(FIRST_NAMES, LAST_NAMES)),
            k=min(customers, len(FIRST_NAMES) * len(LAST_NAMES)),
        )
        return lambda number: (
            unique[number - 1]
            if number <= len(unique)
            else (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
        )

    @transaction.atomic
    def write_batch(self, rng, numbers, people, stores, phones):
        """One batch of customers with their stores, loyalty accounts, opening ledger
        entries and tallies, all or nothing. Rows go straight to the database's bulk loader
        (``backoffice.bulk``): building model instances took most of a million-row load."""
        now = timezone.now()
        ids = bulk.reserve_ids(Customer, len(numbers))
        customers = [
            self.customer(rng, pk, number, *people(number), phones, now)
            for pk, number in zip(ids, numbers, strict=True)
        ]
        bulk.insert_rows(Customer, customers)
        bulk.insert_rows(
            ConsentEvent,
            [
                {"customer_id": customer["id"], "channel": channel, "state": state,
                 "level": customer[f"{channel}_consent_level"], "source": ConsentSource.FORM,
                 "created_at": customer[f"{channel}_consent_at"]}
                for customer in customers
                for channel, state in (("email", customer["email_consent"]),
                                       ("sms", customer["sms_consent"]))
                if state != Consent.NOT_ASKED
            ],
        )  # fmt: skip
        memberships = [
            (customer, store_id)
            for customer in customers
            for store_id in rng.sample(stores, k=min(len(stores), rng.choice((1, 1, 2, 3))))
        ]
        Membership = Customer.stores.through
        bulk.insert_rows(
            Membership,
            [
                {"id": pk, "customer_id": customer["id"], "store_id": store_id}
                for pk, (customer, store_id) in zip(
                    bulk.reserve_ids(Membership, len(memberships)), memberships, strict=True
                )
            ],
        )
        open_accounts(
            [
                (customer["id"], customer["loyalty_points"], customer["created_at"])
                for customer in customers
                if customer["loyalty_points"] is not None
            ],
            reason=Reason.OPENING,
        )
        tallies.add(
            Counter(
                (store_id, customer["customer_type"], customer["loyalty_points"] is not None,
                 tallies.month_of(customer["created_at"]))
                for customer, store_id in [
                    *((customer, CustomerTally.CHAIN) for customer in customers),
                    *memberships,
                ]
            )
        )  # fmt: skip

    def customer(self, rng, pk, number, first_name, last_name, phones, now):
        """One customer's row, valid for the customer form (a test checks a sample)."""
        city, state, zip_code = rng.choice(CITIES)
        today = now.date()
        business = number % 7 == 0
        company = f"{rng.choice(COMPANIES)} {last_name}" if business else ""
        created_at = now - timedelta(days=created_days_ago(rng, number), minutes=number % 1440)
        return {
            "id": pk,
            "customer_type": Customer.Type.BUSINESS if business else Customer.Type.PERSONAL,
            "company_name": company,
            "tax_id": f"US{rng.randint(10**8, 10**9 - 1)}" if business else "",
            "first_name": first_name,
            "last_name": last_name,
            "email": ascii_email(f"{first_name}.{last_name}.{number}@example.com"),
            "phone": rng.choice(phones[rng.choice(PHONE_REGIONS)]),
            "gender": "" if business else rng.choice(Customer.Gender.values),
            "date_of_birth": (
                None if business else today - timedelta(days=rng.randint(6570, 29200))
            ),
            "nationality": "" if business else rng.choice(NATIONALITIES),
            "anniversary": today - timedelta(days=rng.randint(0, 5 * 365)),
            "id_number": f"C-{10000 + number}",
            "gate_code": f"#{rng.randint(1000, 9999)}" if rng.random() < 0.3 else "",
            "address_line1": f"{rng.randint(1, 999)} {rng.choice(STREETS)}",
            "city": city,
            "state": state,
            "zip_code": zip_code,
            "country": "US",
            "created_at": created_at,
            "updated_at": created_at,
            "sort_name": company or last_name,
            "loyalty_points": rng.randint(1, 5000) if rng.random() < 0.6 else None,
            **consent_of(number, created_at),
        }
