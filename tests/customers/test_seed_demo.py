from io import StringIO

import phonenumbers
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from customers.forms import GeneralForm
from customers.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERNAME, Command
from customers.models import Customer
from house_accounts.models import HouseAccount
from loyalty.models import LoyaltyAccount, LoyaltyCard
from memberships.models import MembershipAccount, MembershipSeat
from stores.models import Store


def test_demo_data_loads_once_and_can_be_signed_in_to(db):
    call_command("seed_demo", customers=12, stdout=StringIO())
    call_command("seed_demo", customers=12, stdout=StringIO())

    assert Store.objects.count() == 3
    assert Customer.objects.count() == 12
    demo = get_user_model().objects.get(username=DEMO_USERNAME)
    assert demo.check_password(DEMO_PASSWORD)
    assert demo.has_perm("customers.export_customer")
    assert demo.has_perm("customers.view_all_stores")


def test_more_customers_are_added_to_a_started_demo_with_add(db):
    """The second hour, point 11: a started app's seed_demo said "already loaded" and had
    no way to add more."""
    call_command("seed_demo", customers=12, stdout=StringIO())
    again = StringIO()
    call_command("seed_demo", customers=300, stdout=again)
    added = StringIO()

    call_command("seed_demo", customers=30, add=True, stdout=added, stderr=StringIO())

    assert "`seed_demo --add --customers N` adds N more" in again.getvalue()
    assert "Added 30 customers (42 now)." in added.getvalue()
    assert Customer.objects.count() == 42
    assert Customer.objects.values("email").distinct().count() == 42
    assert get_user_model().objects.filter(username=DEMO_USERNAME).count() == 1
    assert LoyaltyCard.objects.values("batch").distinct().count() == 1


def test_the_demo_has_cards_memberships_and_house_accounts_whose_balances_add_up(db):
    call_command("seed_demo", customers=50, stdout=StringIO())
    out = StringIO()

    call_command("check_balances", stdout=out)

    assert LoyaltyCard.objects.filter(customer__isnull=False).count() == 10
    assert MembershipAccount.objects.count() == HouseAccount.objects.count() == 5
    assert MembershipSeat.objects.filter(is_holder=False).count() == 5
    assert "house accounts: 5 accounts, every balance equals its entries." in out.getvalue()


def test_every_demo_customer_passes_the_form_validation(db):
    call_command("seed_demo", customers=50, stdout=StringIO())

    for customer in Customer.objects.all():
        form = GeneralForm(data={**GeneralForm(instance=customer).initial}, instance=customer)
        assert form.is_valid(), (customer.email, form.errors)


def test_demo_names_are_unique_and_this_month_has_new_customers(clerk_client, db):
    call_command("seed_demo", customers=50, stdout=StringIO())

    names = [customer.full_name for customer in Customer.objects.all()]
    assert len(set(names)) == 50
    tiles = {
        tile["label"]: tile["count"] for tile in clerk_client.get("/customers/").context["tiles"]
    }
    assert tiles["New this month"] >= 10


def test_start_script_honours_port():
    script = (settings.BASE_DIR / "scripts/start").read_text()

    assert 'port="${PORT:-8000}"' in script
    assert 'runserver "127.0.0.1:${port}"' in script


def test_a_bigger_chain_loads_in_batches_with_realistic_customers(db):
    call_command(
        "seed_demo", customers=120, stores=5, batch_size=50, stdout=StringIO(), stderr=StringIO()
    )

    assert Store.objects.count() == 5
    assert Customer.objects.count() == 120
    store_counts = {c.stores.count() for c in Customer.objects.prefetch_related("stores")}
    assert store_counts <= {1, 2, 3}
    accounts = LoyaltyAccount.objects.all()
    assert 0.4 < accounts.count() / 120 < 0.8
    assert all(account.entries.get().delta == account.balance for account in accounts)
    assert Customer.objects.filter(customer_type="business").count() == 120 // 7


def test_every_phone_of_a_big_load_is_valid(db):
    call_command("seed_demo", customers=300, stdout=StringIO(), stderr=StringIO())

    phones = Customer.objects.values_list("phone", flat=True)
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(str(phone))) for phone in phones)
    assert len({str(phone)[:3] for phone in phones}) > 1  # not only one country


def test_an_interrupted_load_keeps_whole_batches_and_resumes(db, monkeypatch):
    original = Command.write_batch
    calls = []

    def interrupted(self, *args):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(self, *args)

    monkeypatch.setattr(Command, "write_batch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        call_command(
            "seed_demo", customers=120, batch_size=50, stdout=StringIO(), stderr=StringIO()
        )

    assert Customer.objects.count() == 50
    assert not get_user_model().objects.filter(username=DEMO_USERNAME).exists()

    monkeypatch.setattr(Command, "write_batch", original)
    call_command("seed_demo", customers=120, batch_size=50, stdout=StringIO(), stderr=StringIO())

    assert Customer.objects.count() == 120
    assert Customer.objects.values("email").distinct().count() == 120


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_the_planner_is_told_how_many_customers_were_loaded(db):
    call_command("seed_demo", customers=120, stdout=StringIO(), stderr=StringIO())

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'customers_customer'")
        assert cursor.fetchone()[0] == 120
