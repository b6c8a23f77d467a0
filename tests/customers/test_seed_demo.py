from io import StringIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from customers.forms import GeneralForm
from customers.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERNAME
from customers.models import Customer
from stores.models import Store


def test_demo_data_loads_once_and_can_be_signed_in_to(db):
    call_command("seed_demo", customers=12, stdout=StringIO())
    call_command("seed_demo", customers=12, stdout=StringIO())

    assert Store.objects.count() == 3
    assert Customer.objects.count() == 12
    demo = get_user_model().objects.get(username=DEMO_USERNAME)
    assert demo.check_password(DEMO_PASSWORD)
    assert demo.has_perm("customers.export_customer")


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
