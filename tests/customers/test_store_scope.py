"""Least access: a cashier of Riverside sees Riverside's customers, and finds a Downtown
customer only by an exact key, offered by name, email and phone to add to their store."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from backoffice.models import AuditEvent
from customers.models import Customer
from imports.checking import RowChecker
from imports.models import CustomerImport
from imports.tasks import options_of
from loyalty.services import card_assign, card_batch_generate
from registers.services import register_create
from tests.factories import (
    OPS,
    image_upload,
    make_customer,
    make_house_account,
    make_membership,
    make_user,
)

LIST = reverse("customers:list")


@pytest.fixture
def store_manager(riverside):
    """Rhea, Riverside's manager: deletes, restores and exports, Riverside's customers only."""
    return make_user("rhea", groups=["Managers"], stores=[riverside], first_name="Rhea")


@pytest.fixture
def cal(client, cashier):
    client.force_login(cashier)
    return client


@pytest.fixture
def rhea(client, store_manager):
    client.force_login(store_manager)
    return client


@pytest.fixture
def rita(riverside):
    """A Riverside regular."""
    return make_customer(first_name="Rita", last_name="River", stores=[riverside])


@pytest.fixture
def dora(downtown):
    """A Downtown customer with every key a till may type, and more that stays hidden."""
    customer = make_customer(
        first_name="Dora", last_name="Downtown", email="dora@example.com",
        phone="+14155550123", id_number="ID-7788", city="Hidden Falls",
        notes="Prefers the blue bags", stores=[downtown], loyalty_balance=40,
        photo=image_upload(),
    )  # fmt: skip
    batch = card_batch_generate(size=1, actor=OPS)
    card_assign(customer=customer, code=batch.cards.get().code, actor=OPS)
    return customer


def found_elsewhere(response):
    return response.context["found_in_other_stores"]


class TestTheListShowsTheirStoresCustomersOnly:
    def test_listed_counted_and_filtered_within_their_stores(self, cal, rita, dora):
        for query in (
            "",
            "?store=all",
            "?store=DT01",
            "?q=Dora",
            "?sort=name",
            "?loyalty=enrolled",
        ):
            response = cal.get(f"{LIST}{query}")

            assert response.status_code == 200
            assert dora not in response.context["customers"], query
            assert b"dora@example.com" not in response.content, query
        page = cal.get(LIST)
        assert list(page.context["customers"]) == [rita]
        assert [tile["count"] for tile in page.context["tiles"]][0] == 1
        store_choices = [label for _, label in page.context["filter"].form.fields["store"].choices]
        assert store_choices == ["Current store", "Riverside"]

    def test_the_top_bar_offers_their_stores_only(self, cal, riverside, downtown, rita):
        page = cal.get(LIST)

        assert list(page.context["store_choices"]) == [riverside]
        assert page.context["current_store"] == riverside
        assert b"All stores</option>" not in page.content
        assert cal.post(reverse("stores:choose"), {"store": downtown.pk}).status_code == 400
        assert cal.post(reverse("stores:choose"), {"store": ""}).status_code == 400

    def test_a_person_holding_no_store_sees_no_customer(self, client, rita, dora):
        client.force_login(make_user(groups=["Store staff"], stores=[]))

        page = client.get(LIST)

        assert page.status_code == 200
        assert list(page.context["customers"]) == []
        assert page.context["tiles"] == []


class TestAnotherStoresCustomerIsFoundByAnExactKeyOnly:
    @pytest.mark.parametrize(
        "key", ["dora@example.com", "DORA@example.com", "+1 415 555 0123", "ID-7788", "card"]
    )
    def test_by_email_phone_id_number_or_card_code(self, cal, dora, key):
        if key == "card":
            key = dora.loyalty_card.code

        response = cal.get(LIST, {"q": key})

        assert found_elsewhere(response) == [dora]
        assert list(response.context["customers"]) == []
        assert b"Found in another store" in response.content
        assert b"dora@example.com" in response.content
        assert b"Add to my store" in response.content
        for hidden in (b"Hidden Falls", b"blue bags", b"ID-7788" if key != "ID-7788" else b"-"):
            if hidden != b"-":
                assert hidden not in response.content

    @pytest.mark.parametrize("query", ["Dora", "dora@", "0123", "Downtown", "number"])
    def test_not_by_a_name_a_part_of_a_key_or_the_customer_number(self, cal, dora, query):
        query = str(dora.pk) if query == "number" else query

        response = cal.get(LIST, {"q": query})

        assert found_elsewhere(response) == []
        assert b"dora@example.com" not in response.content

    def test_add_to_my_store_links_them_and_opens_their_page(self, cal, cashier, dora, riverside):
        url = reverse("customers:add_to_store", args=[dora.pk])

        response = cal.post(url, {"q": "dora@example.com"})

        assert response.status_code == 302
        assert response.url == dora.get_absolute_url()
        assert set(dora.stores.values_list("code", flat=True)) == {"DT01", "RV02"}
        event = AuditEvent.objects.filter(object_id=dora.pk).latest("pk")
        assert event.user == cashier
        assert event.summary == "Added to Riverside, found there by an exact search"
        assert event.changes == {"stores": [["DT01"], ["DT01", "RV02"]]}
        assert cal.get(dora.get_absolute_url()).status_code == 200
        assert cal.get(LIST).context["tiles"][0]["count"] == 1  # the tally follows

    def test_add_to_my_store_needs_the_exact_key_it_was_found_by(self, cal, dora):
        url = reverse("customers:add_to_store", args=[dora.pk])

        for posted in ({}, {"q": "Dora"}, {"q": str(dora.pk)}, {"q": "someone@example.com"}):
            assert cal.post(url, posted).status_code == 404
        assert list(dora.stores.values_list("code", flat=True)) == ["DT01"]


def about_one_customer(customer):
    """The pages about one customer, by their id or their accounts'."""
    membership = make_membership(customer)
    house_account = make_house_account(customer, opening_balance="5.00")
    return [
        ("get", reverse("customers:detail", args=[customer.pk]), {}),
        ("get", reverse("customers:edit", args=[customer.pk]), {}),
        ("post", reverse("customers:edit", args=[customer.pk]), {"first_name": "X"}),
        ("get", reverse("customers:photo", args=[customer.pk]), {}),
        ("get", reverse("loyalty:ledger", args=[customer.pk]), {}),
        ("get", reverse("loyalty:adjust", args=[customer.pk]), {}),
        ("post", reverse("loyalty:adjust", args=[customer.pk]), {"delta": "5"}),
        ("get", reverse("loyalty:assign_card", args=[customer.pk]), {}),
        ("get", reverse("sales:customer_sales", args=[customer.pk]), {}),
        ("get", reverse("memberships:account", args=[membership.pk]), {}),
        ("get", reverse("memberships:account_edit", args=[membership.pk]), {}),
        ("post", reverse("memberships:charge", args=[membership.pk]), {"amount": "1"}),
        ("get", reverse("memberships:member_add", args=[membership.pk]), {}),
        ("get", reverse("house_accounts:account", args=[house_account.pk]), {}),
        ("get", reverse("house_accounts:edit", args=[house_account.pk]), {}),
        ("post", reverse("house_accounts:entry", args=[house_account.pk]), {"amount": "1"}),
        ("get", reverse("house_accounts:statement", args=[house_account.pk]), {}),
    ]


class TestAnotherStoresCustomerIsNotOpenedById:
    def test_every_page_about_them_is_not_found(self, rhea, dora, downtown):
        for method, url, data in about_one_customer(dora):
            response = getattr(rhea, method)(url, data)

            assert response.status_code == 404, url
        assert Customer.objects.get(pk=dora.pk).first_name == "Dora"

    def test_while_their_own_customers_pages_open(self, rhea, rita):
        for method, url, _ in about_one_customer(rita):
            if method == "get" and "photo" not in url:
                assert rhea.get(url).status_code == 200, url

    def test_nor_deleted_restored_or_exported(self, rhea, rita, dora):
        rhea.post(reverse("customers:bulk_delete"), {"selected": [dora.pk], "confirm": "1"})
        assert Customer.objects.filter(pk=dora.pk).exists()
        Customer.objects.filter(pk=dora.pk).update(deleted_at="2026-01-01T00:00:00Z")
        assert b"Dora" not in rhea.get(reverse("customers:deleted")).content
        rhea.post(reverse("customers:restore"), {"selected": [dora.pk]})
        assert Customer.objects.filter(pk=dora.pk).count() == 0  # still deleted
        Customer.all_objects.filter(pk=dora.pk).update(deleted_at=None)

        for query in ("", "?store=all", "?store=DT01", "?q=dora@example.com"):
            exported = rhea.get(f"{reverse('customers:export')}{query}")
            assert dora.email not in b"".join(exported.streaming_content).decode(), query
        exported = rhea.get(reverse("customers:export"))
        assert rita.email in b"".join(exported.streaming_content).decode()

    def test_nor_offered_by_the_pickers_or_in_the_accounts_lists(self, rhea, rita, dora):
        make_membership(dora)
        make_house_account(dora, opening_balance="5.00")
        for query in ("Dora", "dora@example.com", "Ri"):
            found = rhea.get(reverse("customers:lookup"), {"q": query}).json()["results"]
            assert "Dora Downtown" not in [result["name"] for result in found]
        assert rhea.get(reverse("customers:lookup"), {"q": "Rita"}).json()["results"]
        for page in ("memberships:accounts", "house_accounts:list"):
            response = rhea.get(reverse(page))
            assert b"Dora" not in response.content, page
            assert response.context["tiles"][0]["count"] == 0, page
        refused = rhea.post(
            reverse("house_accounts:create"),
            {"customer": dora.pk, "account_number": "H9", "opening_balance": "0"},
        )
        assert refused.status_code == 200
        assert "customer" in refused.context["form"].errors

    def test_nor_in_the_audit_trail(self, rhea, rita, dora):
        events = rhea.get(reverse("audit")).context["events"]

        assert {event.object_id for event in events} == {rita.pk}


class TestTheRegistersFollowTheSameRule:
    @pytest.fixture
    def riverside_till(self, riverside):
        client = APIClient()
        key = register_create(name="Till", store=riverside, actor=OPS)[1]
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_REGISTER_DEVICE="till-1")
        return client

    def names(self, response):
        assert response.status_code == 200
        return [customer["first_name"] for customer in response.json()["results"]]

    def test_names_within_their_store_exact_keys_chain_wide(self, riverside_till, rita, dora):
        search = reverse("api_customers")

        assert self.names(riverside_till.get(search, {"q": "Rita"})) == ["Rita"]
        assert self.names(riverside_till.get(search, {"q": "Dora"})) == []
        assert self.names(riverside_till.get(search, {"q": "0123"})) == []
        for key in ("dora@example.com", "+14155550123", "ID-7788", dora.loyalty_card.code):
            assert self.names(riverside_till.get(search, {"q": key})) == ["Dora"], key


class TestImportsReachTheirStoresOnly:
    def test_rows_name_their_stores_and_find_their_customers_only(
        self, riverside, store_manager, rita, dora
    ):
        job = CustomerImport(created_by=store_manager, match="email", update=True)
        checker = RowChecker(
            ["first_name", "last_name", "email", "stores"],
            update=True,
            store_ids=options_of(job).store_ids,
        )

        rows = checker.check_batch(
            [
                (2, ["Rita", "Rivers", rita.email, "RV02"]),
                (3, ["Dora", "Downtown", "dora@example.com", "RV02"]),
                (4, ["Nina", "New", "nina@example.com", "DT01"]),
                (5, ["Otto", "Other", "otto@example.com", "RV02"]),
            ]
        )

        assert [row.action for row in rows] == ["update", "error", "error", "create"]
        assert rows[1].errors[0].message.startswith("This customer is another store's")
        assert rows[2].errors[0].message == "You do not hold the store DT01."

    def test_a_chain_wide_person_reaches_every_store(self, manager):
        assert options_of(CustomerImport(created_by=manager)).store_ids is None
