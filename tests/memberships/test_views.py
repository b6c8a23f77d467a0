"""The Membership page: Type, Plan and Account tabs, an account's page, charges, members."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from memberships.models import MembershipAccount, MembershipPlan, MembershipType
from memberships.services import membership_add_member, membership_charge
from tests.factories import OPS, make_customer, make_membership, make_plan
from tests.forms import field_errors, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return make_plan("Gold", allowance="50.00", period="monthly")


@pytest.fixture
def ada(downtown):
    return make_customer(
        first_name="Ada", last_name="Lovelace", email="ada@example.com", stores=[downtown]
    )


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


class TestTypesAndPlans:
    def test_the_type_tab_is_the_default_and_lists_types_with_their_actions(
        self, manager_client, plan
    ):
        response = manager_client.get(reverse("memberships:types"))

        page = response.content.decode()
        assert [label for label, _, current in response.context["tabs"] if current] == ["Type"]
        assert plan.membership_type.name in page
        assert "+ Membership Type" in page
        assert [label for label, *_ in response.context["table"].allowed_row_actions] == [
            "Edit",
            "Delete",
        ]

    def test_a_manager_adds_a_type_and_a_plan(self, manager_client):
        manager_client.post(
            reverse("memberships:type_create"), {"name": "Staff", "price_level": "3"}
        )
        staff = MembershipType.objects.get(name="Staff")
        response = manager_client.post(
            reverse("memberships:plan_create"),
            {"name": "Staff monthly", "membership_type": staff.pk, "tax_exempt": "on",
             "allowance": "75.50", "period": "quarterly", "auto_renew": "on"},
        )  # fmt: skip

        assert response.url == reverse("memberships:plans")
        plan = MembershipPlan.objects.get(name="Staff monthly")
        assert (plan.allowance, plan.period, plan.tax_exempt, plan.auto_renew) == (
            Decimal("75.50"), "quarterly", True, True,
        )  # fmt: skip

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"name": "x" * 26, "price_level": "0"}, "name", "at most 25 characters"),
            ({"name": "", "price_level": "0"}, "name", "This field is required."),
            ({"name": "Gold", "price_level": "11"}, "price_level", "Select a valid choice"),
        ],
    )
    def test_a_type_needs_a_short_unique_name_and_a_price_level(
        self, manager_client, data, field, message
    ):
        response = manager_client.post(reverse("memberships:type_create"), data)

        assert any(message in error for error in field_errors(response, field))
        assert not MembershipType.objects.filter(name=data["name"]).exists()

    def test_a_type_or_plan_in_use_is_not_deleted_and_says_by_how_many(self, manager_client, plan):
        make_membership(plan=plan)
        make_membership(plan=plan)

        type_response = manager_client.post(
            reverse("memberships:type_delete"),
            {"selected": plan.membership_type.pk, "confirm": "yes"},
            follow=True,
        )
        plan_response = manager_client.post(
            reverse("memberships:plan_delete"), {"selected": plan.pk, "confirm": "yes"}, follow=True
        )

        assert messages_of(type_response) == [
            f"“{plan.membership_type}” was not deleted: 1 membership plan uses it."
        ]
        assert messages_of(plan_response) == [
            "“Gold” was not deleted: 2 membership accounts use it."
        ]
        assert MembershipPlan.objects.filter(pk=plan.pk).exists()

    def test_an_unused_plan_is_deleted(self, manager_client, plan):
        manager_client.post(
            reverse("memberships:plan_delete"), {"selected": plan.pk, "confirm": "yes"}
        )

        assert not MembershipPlan.objects.filter(pk=plan.pk).exists()


class TestAccounts:
    def test_a_manager_opens_an_account_choosing_the_customer_by_search(
        self, manager_client, plan, ada
    ):
        lookup = manager_client.get(reverse("customers:lookup"), {"q": "lovel"}).json()
        assert lookup["results"][0] == {
            "id": ada.pk,
            "name": "Ada Lovelace",
            "detail": "ada@example.com",
        }

        response = manager_client.post(
            reverse("memberships:account_create"),
            {
                "customer": ada.pk,
                "plan": plan.pk,
                "card_number": "GOLD42",
                "issue_date": "2026-03-10",
            },
        )

        account = MembershipAccount.objects.get(card_number="GOLD42")
        assert response.url == account.get_absolute_url()
        assert (account.customer, account.balance, account.expiry_date) == (
            ada, Decimal("50.00"), datetime.date(2026, 4, 9),
        )  # fmt: skip

    def test_without_scripts_a_typed_email_chooses_the_customer(self, manager_client, plan, ada):
        manager_client.post(
            reverse("memberships:account_create"),
            {"customer": "", "customer_search": "ADA@example.com", "plan": plan.pk,
             "card_number": "GOLD43", "issue_date": "2026-03-10"},
        )  # fmt: skip

        assert MembershipAccount.objects.get(card_number="GOLD43").customer == ada

    @pytest.mark.parametrize(
        ("data", "field", "message"),
        [
            ({"card_number": "GOLD-1"}, "card_number", "Use letters and digits only."),
            (
                {"customer": "", "customer_search": "nobody"},
                "customer",
                "No customer matches “nobody”.",
            ),
            (
                {"customer": "", "customer_search": ""},
                "customer",
                "Type a name, email, phone or card code",
            ),
            ({"plan": ""}, "plan", "This field is required."),
        ],
    )
    def test_bad_input_is_refused_next_to_the_field_keeping_the_rest(
        self, manager_client, plan, ada, data, field, message
    ):
        posted = {"customer": ada.pk, "plan": plan.pk, "card_number": "GOLD44",
                  "issue_date": "2026-03-10", "description": "Kept", **data}  # fmt: skip

        response = manager_client.post(reverse("memberships:account_create"), posted)

        assert any(message in error for error in field_errors(response, field))
        assert form_data(response, "object-form")["description"] == ["Kept"]
        assert not MembershipAccount.objects.exists()

    def test_a_customer_already_in_a_membership_is_refused_naming_it(
        self, manager_client, plan, ada
    ):
        make_membership(ada, card_number="FIRST1")

        response = manager_client.post(
            reverse("memberships:account_create"),
            {
                "customer": ada.pk,
                "plan": plan.pk,
                "card_number": "SECOND",
                "issue_date": "2026-03-10",
            },
        )

        assert "already in the active membership FIRST1" in field_errors(response, "customer")[0]

    def test_the_account_page_shows_balance_members_and_entries(
        self, clerk_client, plan, ada, downtown
    ):
        account = make_membership(ada, plan=plan)
        membership_add_member(
            account=account, customer=make_customer(first_name="Grace"), actor=OPS
        )
        membership_charge(
            account=account, amount=Decimal("12.30"), store=downtown, note="", actor=OPS
        )

        response = clerk_client.get(account.get_absolute_url())

        page = response.content.decode()
        assert 'id="membership-balance">USD 37.70<' in page
        assert [seat.customer.first_name for seat in response.context["seats"]] == ["Ada", "Grace"]
        assert [column.header for column in response.context["entries_table"].columns] == [
            "Date", "Entry", "Store", "Amount", "Balance after", "Who",
        ]  # fmt: skip
        assert "Add member" not in page  # store staff record charges, managers add members

    def test_store_staff_record_a_charge_and_one_beyond_the_allowance_is_refused(
        self, clerk_client, plan, ada, downtown
    ):
        account = make_membership(ada, plan=plan)
        url = reverse("memberships:charge", args=[account.pk])

        ok = clerk_client.post(
            url, {"kind": "charge", "amount": "45.00", "store": downtown.pk}, follow=True
        )
        refused = clerk_client.post(url, {"kind": "charge", "amount": "5.01", "store": downtown.pk})

        assert messages_of(ok) == ["Charge of USD 45.00 recorded: the allowance left is USD 5.00."]
        assert "more than the allowance left, USD 5.00" in field_errors(refused, "amount")[0]
        assert MembershipAccount.objects.get(pk=account.pk).balance == Decimal("5.00")

    @pytest.mark.parametrize("amount", ["0", "-5", "abc", "1.234", ""])
    def test_an_amount_that_is_no_amount_of_money_is_refused(
        self, clerk_client, plan, ada, downtown, amount
    ):
        account = make_membership(ada, plan=plan)

        response = clerk_client.post(
            reverse("memberships:charge", args=[account.pk]),
            {"kind": "charge", "amount": amount, "store": downtown.pk},
        )

        assert field_errors(response, "amount")
        assert MembershipAccount.objects.get(pk=account.pk).balance == Decimal("50.00")

    def test_members_are_added_and_removed_by_a_manager(self, manager_client, plan, ada):
        account = make_membership(ada, plan=plan)
        grace = make_customer(first_name="Grace", last_name="Hopper")

        manager_client.post(
            reverse("memberships:member_add", args=[account.pk]), {"customer": grace.pk}
        )
        assert account.seats.filter(customer=grace).exists()
        manager_client.post(
            reverse("memberships:member_remove", args=[account.pk]), {"customer": grace.pk}
        )
        assert not account.seats.filter(customer=grace).exists()

    def test_an_edit_made_on_a_stale_page_is_refused(self, manager_client, plan, ada, downtown):
        account = make_membership(ada, plan=plan)
        url = reverse("memberships:account_edit", args=[account.pk])
        data = form_data(manager_client.get(url), "object-form")
        membership_charge(account=account, amount=Decimal("1"), store=downtown, note="", actor=OPS)
        data["description"] = "Old page"

        response = manager_client.post(url, data, follow=True)

        assert "changed while you were editing" in messages_of(response)[0]
        assert MembershipAccount.objects.get(pk=account.pk).description == ""

    def test_the_customer_page_shows_the_membership(self, clerk_client, plan, ada):
        account = make_membership(ada, plan=plan)

        page = clerk_client.get(ada.get_absolute_url()).content.decode()

        assert account.get_absolute_url() in page and "USD 50.00" in page

    def test_deleting_a_holder_with_allowance_left_says_so_first(self, manager_client, plan, ada):
        make_membership(ada, plan=plan, card_number="GOLD9")

        response = manager_client.post(reverse("customers:bulk_delete"), {"selected": ada.pk})

        assert "Holds Membership GOLD9 with USD 50.00 left." in response.content.decode()

    def test_the_tiles_count_active_and_new_memberships(self, clerk_client, plan):
        make_membership(plan=plan)
        make_membership(plan=plan)

        tiles = clerk_client.get(reverse("memberships:accounts")).context["tiles"]

        assert [(tile["label"], tile["count"]) for tile in tiles] == [
            ("Active memberships", 2), ("New this month", 2),
        ]  # fmt: skip


def test_the_picker_lists_the_top_bar_stores_customers_first(clerk_client, downtown, riverside):
    make_customer(first_name="Ann", last_name="Smith", stores=[riverside])
    make_customer(first_name="Bob", last_name="Smith", stores=[downtown])
    clerk_client.post(reverse("stores:choose"), {"store": downtown.pk})

    found = clerk_client.get(reverse("customers:lookup"), {"q": "smith"}).json()["results"]

    assert [customer["name"] for customer in found] == ["Bob Smith", "Ann Smith"]


def test_amounts_show_the_currency_of_the_settings(clerk_client, plan, ada, settings):
    settings.CURRENCY = "EUR"
    account = make_membership(ada, plan=plan)

    page = clerk_client.get(account.get_absolute_url()).content.decode()

    assert 'id="membership-balance">EUR 50.00<' in page


def test_admin_saves_of_types_are_in_the_audit_trail(client, superuser):
    from backoffice.models import AuditEvent

    client.force_login(superuser)
    client.post(
        reverse("admin:memberships_membershiptype_add"), {"name": "Admin-made", "price_level": "0"}
    )

    made = MembershipType.objects.get(name="Admin-made")
    assert AuditEvent.objects.filter(object_id=made.pk, action="create").exists()
