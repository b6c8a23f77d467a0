"""Marketing consent: what a customer agreed to on each channel, where and when it was
said, and every change kept once."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from backoffice.models import AuditEvent
from customers.models import ConsentEvent, Customer
from customers.tables import CustomerTable
from registers.services import register_create
from tests.factories import OPS, make_customer
from tests.forms import form_data

LIST = reverse("customers:list")


@pytest.fixture
def ada(downtown):
    return make_customer(first_name="Ada", last_name="Lovelace", stores=[downtown])


def edit(client, customer, **changes):
    url = reverse("customers:edit", args=[customer.pk])
    data = form_data(client.get(url), "customer-form")
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["forms"].errors
    return Customer.objects.get(pk=customer.pk)


def events(customer):
    return [
        (event.channel, event.state, event.level, event.source, event.actor_name)
        for event in ConsentEvent.objects.filter(customer=customer).order_by("pk")
    ]


class TestTheCustomerForm:
    def test_a_new_customer_starts_not_asked_on_both_channels(self, clerk_client, ada):
        page = clerk_client.get(reverse("customers:create"))

        data = form_data(page, "customer-form")
        assert (data["email_consent"], data["sms_consent"]) == (["not_asked"], ["not_asked"])
        assert (ada.email_consent, ada.sms_consent, ada.email_consent_at) == (
            "not_asked", "not_asked", None,
        )  # fmt: skip
        assert events(ada) == []

    def test_subscribing_stamps_level_time_and_source_and_is_an_event(self, clerk_client, ada):
        before = timezone.now()

        ada = edit(clerk_client, ada, email_consent="subscribed")

        assert ada.email_consent == "subscribed"
        assert (ada.email_consent_level, ada.email_consent_source) == ("single", "form")
        assert ada.email_consent_at >= before
        assert (ada.sms_consent, ada.sms_consent_at) == ("not_asked", None)
        assert events(ada) == [("email", "subscribed", "single", "form", "clerk")]
        audit = AuditEvent.objects.filter(object_id=ada.pk).latest("pk")
        assert audit.changes == {"email_consent": ["not_asked", "subscribed"]}

    def test_each_change_is_one_more_event_and_a_save_without_one_is_none(self, clerk_client, ada):
        ada = edit(clerk_client, ada, email_consent="subscribed", sms_consent="subscribed")
        ada = edit(clerk_client, ada, email_consent="unsubscribed")
        ada = edit(clerk_client, ada, city="Paris")

        assert events(ada) == [
            ("email", "subscribed", "single", "form", "clerk"),
            ("sms", "subscribed", "single", "form", "clerk"),
            ("email", "unsubscribed", "", "form", "clerk"),
        ]
        assert (ada.email_consent, ada.email_consent_level) == ("unsubscribed", "")

    def test_the_customer_page_shows_both_states_and_the_history(self, clerk_client, ada):
        ada = edit(clerk_client, ada, sms_consent="subscribed")

        page = clerk_client.get(ada.get_absolute_url()).content.decode()

        assert "Marketing consent" in page
        assert "Single opt-in, customer form" in page
        assert "SMS subscribed (single opt-in), customer form, clerk" in page

    def test_events_are_written_once(self, clerk_client, ada):
        edit(clerk_client, ada, email_consent="subscribed")
        event = ConsentEvent.objects.get()

        with pytest.raises(ValueError, match="never changed"):
            event.save()
        with pytest.raises(ValueError, match="never deleted"):
            event.delete()


class TestTheListAndTheExport:
    def test_the_list_filters_by_each_state(self, clerk_client, clerk, downtown):
        subscribed = make_customer(first_name="Sue", stores=[downtown], email_consent="subscribed")
        make_customer(first_name="Nat", stores=[downtown])

        found = clerk_client.get(LIST, {"store": "all", "email_consent": "subscribed"})

        assert list(found.context["customers"]) == [subscribed]
        assert clerk_client.get(LIST, {"sms_consent": "nonsense"}).status_code == 200

    def test_the_export_has_both_states_last(self, manager_client, downtown):
        make_customer(stores=[downtown], email_consent="subscribed", sms_consent="unsubscribed")

        response = manager_client.get(reverse("customers:export"), {"store": "all"})
        header, row = b"".join(response.streaming_content).decode().splitlines()

        assert header.endswith(",email_consent,sms_consent")
        assert row.endswith(",subscribed,unsubscribed")
        assert CustomerTable.csv_header()[-2:] == ["email_consent", "sms_consent"]


class TestImportsAndTills:
    def test_an_import_says_yes_or_no_and_is_the_source(self, tmp_path, downtown, ada):
        path = tmp_path / "consent.csv"
        path.write_text(
            "first_name,last_name,email,stores,email_consent,sms_consent\n"
            f"Ada,Lovelace,{ada.email},DT01,yes,\n"
            "Bea,Baker,bea@example.com,DT01,subscribed,no\n"
        )

        call_command("import_customers", str(path), "--update", stdout=None)

        command = "manage.py import_customers"
        assert events(ada) == [("email", "subscribed", "single", "import", command)]
        bea = Customer.objects.get(email="bea@example.com")
        assert events(bea) == [
            ("email", "subscribed", "single", "import", command),
            ("sms", "unsubscribed", "", "import", command),
        ]
        assert (bea.email_consent_source, bea.sms_consent) == ("import", "unsubscribed")

    def test_a_till_records_what_the_customer_said(self, downtown):
        register, key = register_create(name="Front desk", store=downtown, actor=OPS)
        till = APIClient()
        till.credentials(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_REGISTER_DEVICE="till-1")

        created = till.post(
            reverse("api_customers"),
            {"first_name": "Cy", "last_name": "Till", "email": "cy@example.com",
             "sms_consent": "subscribed"},
            format="json",
        )  # fmt: skip

        assert created.status_code == 201
        assert created.json()["sms_consent"] == "subscribed"
        cy = Customer.objects.get(email="cy@example.com")
        assert events(cy) == [("sms", "subscribed", "single", "register", str(register))]
        refused = till.patch(
            reverse("api_customer", args=[cy.pk]),
            {"email_consent": "maybe", "version": cy.version},
            format="json",
        )
        assert refused.status_code == 400
        assert "email_consent" in refused.json()


class TestABouncedEmail:
    def test_is_shown_and_cleared_by_staff(self, clerk_client, clerk, ada):
        Customer.objects.filter(pk=ada.pk).update(email_bounced_at=timezone.now())
        page = clerk_client.get(ada.get_absolute_url()).content.decode()
        assert "campaigns skip this address" in page

        response = clerk_client.post(reverse("customers:clear_bounce", args=[ada.pk]))

        assert response.status_code == 302
        assert Customer.objects.get(pk=ada.pk).email_bounced_at is None
        event = AuditEvent.objects.filter(object_id=ada.pk).latest("pk")
        assert (event.user, event.summary) == (clerk, "Cleared the email bounce")
        assert "campaigns skip" not in clerk_client.get(ada.get_absolute_url()).content.decode()
