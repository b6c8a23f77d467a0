"""Erasure: "delete me" anonymises the customer for good and keeps every number, so every
total, tile and check_balances reads the same after it."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.urls import reverse

from backoffice.models import AuditEvent, Export
from customers import tallies
from customers.models import Customer
from house_accounts.models import HouseAccount
from house_accounts.services import house_account_post
from imports.models import CustomerImport
from privacy.services import customer_erase, masked
from tests.factories import make_customer
from tests.privacy.conftest import TRACES


def erase_url(customer):
    return reverse("privacy:erase", args=[customer.pk])


def totals(customer):
    """Every number kept about the customer, and the chain's tiles."""
    customer = Customer.all_objects.get(pk=customer.pk)
    return {
        "visits": (customer.sale_count, customer.total_spent, customer.lifetime_points),
        "points": (
            customer.loyalty_points,
            customer.loyalty_account.balance,
            customer.loyalty_account.entries.count(),
        ),  # fmt: skip
        "memberships": [(m.balance, m.entries.count()) for m in customer.membership_accounts.all()],
        "house_accounts": [(a.balance, a.entries.count()) for a in customer.house_accounts.all()],
        "sales": list(customer.sales.values_list("total", "points_earned")),
        "tiles": [tallies.tile_counts(store) for store in customer.stores.all()],
        "stores": sorted(customer.stores.values_list("code", flat=True)),
    }


def balances_report():
    out = io.StringIO()
    call_command("check_balances", stdout=out)
    return out.getvalue()


def text_columns_holding(text):
    """Every (table, column) of the project whose rows hold ``text``, by asking the
    database about each text column in turn."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            column = connection.ops.quote_name(field.column)
            table = connection.ops.quote_name(model._meta.db_table)
            cast = f"CAST({column} AS TEXT)"
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT 1 FROM {table} WHERE LOWER({cast}) LIKE %s LIMIT 1",  # noqa: S608
                    [f"%{text.lower()}%"],
                )
                if cursor.fetchone():
                    found.append(f"{model._meta.db_table}.{field.column}")
    return found


class TestErasingACustomerWithAFullHistory:
    def test_keeps_every_total_and_the_balances_check(self, petra, zed):
        before, report = totals(zed), balances_report()

        response = petra.post(erase_url(zed), {"name": "zebedee  QUIXOTE"})

        assert response.status_code == 302
        assert totals(zed) == before
        assert balances_report() == report

    def test_leaves_no_trace_of_them_in_any_table(self, petra, privacy_officer, zed):
        # Copies made while looking them up: an export of a search for their email, a file
        # written in the background from it, an import whose first rows named them.
        export = petra.get(reverse("customers:export"), {"q": zed.email})
        b"".join(export.streaming_content)
        Export.objects.create(title="Customers", query=f"q={zed.email}", filename="c.csv",
                              created_by=privacy_officer)  # fmt: skip
        CustomerImport.objects.create(
            name="list.csv", created_by=privacy_officer, header=["email"],
            examples=[[zed.email]],
        )  # fmt: skip
        assert text_columns_holding("Quixote")  # the search finds what is there

        petra.post(erase_url(zed), {"name": "Zebedee Quixote"})

        assert {text: text_columns_holding(text) for text in TRACES} == {
            text: [] for text in TRACES
        }

    def test_empties_their_data_and_deletes_the_photo_file(self, petra, zed, run_jobs):
        photo = Path(zed.photo.path)
        assert photo.exists()

        run_jobs(lambda: petra.post(erase_url(zed), {"name": "Zebedee Quixote"}))

        erased = Customer.objects.get(pk=zed.pk)
        assert str(erased) == f"Erased customer #{zed.pk}"
        assert (erased.email, str(erased.phone), erased.id_number, erased.city) == ("", "", "", "")
        assert (erased.date_of_birth, erased.notes, erased.photo.name) == (None, "", "")
        assert (erased.email_consent, erased.sms_consent) == ("unsubscribed", "unsubscribed")
        assert erased.erased_at is not None
        assert not photo.exists()
        sources = {event.source for event in erased.consent_events.filter(state="unsubscribed")}
        assert sources == {"erasure"}

    def test_the_audit_event_says_who_erased_whom_masked(self, petra, privacy_officer, zed):
        petra.post(erase_url(zed), {"name": "Zebedee Quixote"})

        event = AuditEvent.objects.get(action="erase")
        assert (event.user, event.object_id) == (privacy_officer, zed.pk)
        assert event.summary == "Erased Z****** Q******"
        assert masked("Jane Doe") == "J*** D**"
        created = AuditEvent.objects.get(action="create", object_repr=f"Customer #{zed.pk}")
        assert created.summary == "Created (details removed when erased)"

    def test_cannot_be_done_twice(self, zed, privacy_officer):
        customer_erase(customer=zed, actor=privacy_officer)

        with pytest.raises(Exception, match="erased on .* already"):
            customer_erase(customer=zed, actor=privacy_officer)


class TestTheConfirmation:
    def test_asks_for_the_name_and_keeps_the_customer_on_a_wrong_one(self, petra, zed):
        page = petra.get(erase_url(zed))
        assert "This cannot be undone." in page.content.decode()

        refused = petra.post(erase_url(zed), {"name": "Zebedee"})

        assert refused.status_code == 200
        assert "Type the name exactly as shown" in refused.content.decode()
        assert Customer.objects.get(pk=zed.pk).erased_at is None

    def test_is_refused_while_a_house_account_owes_money_saying_which(
        self, petra, zed, downtown, clerk
    ):
        account = HouseAccount.objects.get(customer=zed)
        house_account_post(account=account, kind="charge", amount=Decimal("12.50"),
                           store=downtown, reference="", note="", actor=clerk)  # fmt: skip

        refused = petra.post(erase_url(zed), {"name": "Zebedee Quixote"})

        assert refused.status_code == 200
        assert "House account HA-ZED owes USD 12.50." in refused.content.decode()
        assert Customer.objects.get(pk=zed.pk).first_name == "Zebedee"

    def test_needs_the_permission_and_the_customers_store(self, client, manager, riverside):
        customer = make_customer(stores=[riverside])
        client.force_login(manager)
        assert client.get(erase_url(customer)).status_code == 403


class TestOps:
    def test_erase_customer_by_email_without_a_prompt(self, zed):
        out = io.StringIO()

        call_command("erase_customer", "--customer", "zebedee.quixote@example.com", stdout=out)

        assert (
            out.getvalue().strip() == f"Erased customer #{zed.pk}: now “Erased customer #{zed.pk}”."
        )
        assert AuditEvent.objects.get(action="erase").user_name == "manage.py erase_customer"
        with pytest.raises(CommandError, match="No customer has the id or email"):
            call_command("erase_customer", "--customer", "zebedee.quixote@example.com")
