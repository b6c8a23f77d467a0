import random
import unicodedata
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from customers.models import Customer
from customers.services import customer_save
from stores.models import Store

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "retail-demo-2026"
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


class Command(BaseCommand):
    help = (
        "Load demo data: three stores, fifty customers (one in seven a business) and a 'demo' "
        "manager account. "
        "Does nothing if the demo account already exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=50, help="How many customers.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed.")

    def handle(self, *args, customers, seed, **options):
        User = get_user_model()
        if User.objects.filter(username=DEMO_USERNAME).exists():
            self.stdout.write("Demo data is already loaded.")
            return
        rng = random.Random(seed)
        # One transaction: an interrupted run (Ctrl+C) leaves no half-loaded data behind.
        with transaction.atomic():
            user = User.objects.create_user(
                DEMO_USERNAME,
                email="demo@example.com",
                password=DEMO_PASSWORD,
                first_name="Dana",
                last_name="Demo",
            )
            user.groups.add(Group.objects.get(name="Managers"))
            stores = [
                Store.objects.get_or_create(code=code, defaults={"name": name, "country": "US"})[0]
                for name, code in DEMO_STORES
            ]
            # Each full name once; when there are more customers than names, a number is added.
            names = rng.sample(
                [(first, last) for first in FIRST_NAMES for last in LAST_NAMES],
                k=min(customers, len(FIRST_NAMES) * len(LAST_NAMES)),
            )
            for number in range(1, customers + 1):
                first_name, last_name = names[(number - 1) % len(names)]
                if number > len(names):
                    last_name = f"{last_name} {number // len(names) + 1}"
                self.create_customer(rng, number, first_name, last_name, stores, user)
                if number % 10 == 0 or number == customers:
                    self.stdout.write(f"  {number}/{customers} customers", ending="\r")
                    self.stdout.flush()
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {len(stores)} stores and {customers} customers. "
                f"Sign in as {DEMO_USERNAME} / {DEMO_PASSWORD}."
            )
        )

    def create_customer(self, rng, number, first_name, last_name, stores, user):
        city, state, zip_code = rng.choice(CITIES)
        today = timezone.localdate()
        enrolled = rng.random() < 0.6
        business = number % 7 == 0
        customer = Customer(
            customer_type=Customer.Type.BUSINESS if business else Customer.Type.PERSONAL,
            company_name=f"{rng.choice(COMPANIES)} {last_name}" if business else "",
            tax_id=f"US{rng.randint(10**8, 10**9 - 1)}" if business else "",
            first_name=first_name,
            last_name=last_name,
            email=ascii_email(f"{first_name}.{last_name}.{number}@example.com"),
            phone=f"+1512555{number:04d}",
            gender="" if business else rng.choice(Customer.Gender.values),
            date_of_birth=None if business else today - timedelta(days=rng.randint(6570, 29200)),
            nationality="" if business else rng.choice(NATIONALITIES),
            anniversary=today - timedelta(days=rng.randint(0, 5 * 365)),
            id_number=f"C-{10000 + number}",
            gate_code=f"#{rng.randint(1000, 9999)}" if rng.random() < 0.3 else "",
            address_line1=f"{rng.randint(1, 999)} {rng.choice(STREETS)}",
            city=city,
            state=state,
            zip_code=zip_code,
            country="US",
            created_at=timezone.now()
            - timedelta(days=created_days_ago(rng, number), minutes=number),
        )
        customer_save(
            customer=customer,
            stores=rng.sample(stores, k=rng.randint(1, 2)),
            loyalty_enrolled=enrolled,
            loyalty_balance=rng.randint(0, 5000) if enrolled else 0,
            loyalty_reason="Opening balance (demo data)",
            user=user,
        )
