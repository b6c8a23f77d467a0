"""The House Account page: the list, opening an account, charges and payments, the
statement on screen and as CSV."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from house_accounts.models import HouseAccount
from house_accounts.services import house_account_charge
from tests.factories import OPS, make_customer, make_house_account
from tests.forms import field_errors, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(downtown):
    return make_customer(
        first_name="Ada", last_name="Lovelace", email="ada@example.com", stores=[downtown]
    )


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


NEW = {
    "account_number": "HA-100", "opening_balance": "0.00", "period_limit_enabled": "on",
    "limit_period": "weekly", "limit_amount": "200.00", "week_starts_on": "0",
    "max_limit_enabled": "on", "max_amount": "50.00",
}  # fmt: skip


def test_the_list_shows_the_columns_of_the_seed_system(manager_client, ada):
    make_house_account(ada, account_number="HA-1", opening_balance="12.00")

    response = manager_client.get(reverse("house_accounts:list"))

    table = response.context["table"]
    assert [column.header for column in table.columns] == [
        "Customer", "Account Number", "Limit", "Max Amount", "Balance",
    ]  # fmt: skip
    assert [label for label, *_ in table.allowed_row_actions] == ["Edit", "Delete"]
    assert "+ New House Account" in response.content.decode()
    assert [(tile["label"], tile["count"]) for tile in response.context["tiles"]] == [
        ("House accounts", 1), ("New this month", 1),
    ]  # fmt: skip


def test_a_manager_opens_an_account_with_limits(manager_client, ada):
    response = manager_client.post(reverse("house_accounts:create"), {"customer": ada.pk, **NEW})

    account = HouseAccount.objects.get(account_number="HA-100")
    assert response.url == account.get_absolute_url()
    assert (account.customer, account.limit_period, account.limit_amount, account.max_amount) == (
        ada, "weekly", Decimal("200.00"), Decimal("50.00"),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"limit_period": ""}, "limit_period", "Choose the period the limit is for."),
        ({"limit_amount": ""}, "limit_amount", "Enter the most that may be charged in a period."),
        ({"week_starts_on": ""}, "week_starts_on", "Choose the day the week starts on."),
        ({"max_amount": ""}, "max_amount", "Enter the most one charge may be."),
        ({"max_amount": "0"}, "max_amount", "at least 0.01"),
        ({"opening_balance": "1.999"}, "opening_balance", "no more than 2 decimal places"),
        ({"account_number": ""}, "account_number", "This field is required."),
    ],
)
def test_an_incomplete_limit_is_refused_next_to_its_field(
    manager_client, ada, changes, field, message
):
    response = manager_client.post(
        reverse("house_accounts:create"), {"customer": ada.pk, **NEW, **changes}
    )

    assert any(message in error for error in field_errors(response, field)), field_errors(
        response, field
    )
    assert not HouseAccount.objects.exists()


def test_store_staff_record_charges_and_see_both_refusals(clerk_client, ada, downtown):
    account = make_house_account(
        ada, period_limit_enabled=True, limit_period="weekly", limit_amount=Decimal("100"),
        week_starts_on=0, max_limit_enabled=True, max_amount=Decimal("60"),
    )  # fmt: skip
    url = reverse("house_accounts:entry", args=[account.pk])
    charge = {"kind": "charge", "store": downtown.pk, "reference": "R1"}

    too_big = clerk_client.post(url, {**charge, "amount": "60.01"})
    clerk_client.post(url, {**charge, "amount": "60.00"})
    over_week = clerk_client.post(url, {**charge, "amount": "45.00"})
    paid = clerk_client.post(
        url, {"kind": "payment", "amount": "20.00", "store": downtown.pk}, follow=True
    )

    assert "at most USD 60.00" in field_errors(too_big, "amount")[0]
    assert "USD 40.00 is left" in field_errors(over_week, "amount")[0]
    assert form_data(over_week, "entry-form")["reference"] == ["R1"]
    assert messages_of(paid) == ["Payment of USD 20.00 recorded: the balance is USD 40.00."]


def test_the_statement_prints_and_exports_with_formulas_neutralised(clerk_client, ada, downtown):
    account = make_house_account(ada, opening_balance="10.00", account_number="HA-7")
    house_account_charge(account=account, amount=Decimal("5.00"), store=downtown,
                         reference="=HYPERLINK(1)", note="", actor=OPS)  # fmt: skip
    today = timezone.localdate().isoformat()
    url = reverse("house_accounts:statement", args=[account.pk])

    page = clerk_client.get(url, {"date_from": today, "date_to": today})
    exported = clerk_client.get(url, {"date_from": today, "date_to": today, "format": "csv"})

    assert 'id="closing-balance">USD 15.00<' in page.content.decode()
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert rows[0] == [
        "date",
        "entry",
        "store",
        "reference",
        "note",
        "amount",
        "balance_after",
        "who",
    ]
    assert [row[1] for row in rows[1:]] == [
        "Opening balance",
        "Opening balance",
        "Charge",
        "Closing balance",
    ]
    assert rows[3][3] == "'=HYPERLINK(1)"
    assert rows[-1][6] == "15.00"
    assert exported["Content-Disposition"].startswith('attachment; filename="statement-HA-7-')


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, "date_to"),
        ({"date_from": "x"}, "date_from"),
    ],
)
def test_a_statement_of_wrong_dates_says_so_next_to_the_field(clerk_client, ada, query, field):
    account = make_house_account(ada)

    response = clerk_client.get(reverse("house_accounts:statement", args=[account.pk]), query)

    assert response.status_code == 200
    assert field_errors(response, field)


def test_an_account_with_a_balance_is_not_deleted(manager_client, ada):
    account = make_house_account(ada, opening_balance="3.00", account_number="HA-9")

    response = manager_client.post(
        reverse("house_accounts:delete"), {"selected": account.pk, "confirm": "yes"}, follow=True
    )

    assert messages_of(response) == [
        "House account HA-9 was not deleted: its balance is USD 3.00. Settle it first."
    ]
    assert HouseAccount.objects.filter(pk=account.pk).exists()


def test_an_edit_made_on_a_stale_page_is_refused(manager_client, ada, downtown):
    account = make_house_account(ada)
    url = reverse("house_accounts:edit", args=[account.pk])
    data = form_data(manager_client.get(url), "object-form")
    house_account_charge(
        account=account, amount=Decimal("1"), store=downtown, reference="", note="", actor=OPS
    )
    data["account_number"] = "CHANGED"

    response = manager_client.post(url, data, follow=True)

    assert "changed while you were editing" in messages_of(response)[0]
    assert HouseAccount.objects.get(pk=account.pk).account_number != "CHANGED"


def test_the_customer_page_shows_the_house_account_and_deleting_says_what_is_owed(
    manager_client, ada
):
    account = make_house_account(ada, opening_balance="8.00", account_number="HA-5")

    page = manager_client.get(ada.get_absolute_url()).content.decode()
    confirm = manager_client.post(reverse("customers:bulk_delete"), {"selected": ada.pk})

    assert account.get_absolute_url() in page and "USD 8.00" in page
    assert "Has House account HA-5 with a balance of USD 8.00." in confirm.content.decode()


class TestMoneyLimits:
    """The attacker's second visit, finding 9: large payments and balances past what a
    ledger holds."""

    def entry(self, client, account, store, kind, amount):
        return client.post(
            reverse("house_accounts:entry", args=[account.pk]),
            {"kind": kind, "amount": amount, "store": store.pk, "reference": "", "note": ""},
        )

    @pytest.mark.parametrize("kind", ["payment", "refund"])
    def test_store_staff_record_a_large_payment_or_refund_through_a_manager(
        self, clerk_client, ada, downtown, kind
    ):
        account = make_house_account(ada, opening_balance="900.00", allow_credit=True)

        response = self.entry(clerk_client, account, downtown, kind, "500.01")

        assert field_errors(response, "amount") == [
            "A payment or refund over USD 500.00 is recorded by a manager."
        ]
        assert self.entry(clerk_client, account, downtown, kind, "500.00").status_code == 302

    def test_a_manager_records_a_large_payment(self, manager_client, ada, downtown):
        account = make_house_account(ada, opening_balance="900.00")

        self.entry(manager_client, account, downtown, "payment", "900.00")

        assert HouseAccount.objects.get(pk=account.pk).balance == Decimal("0.00")

    def test_a_balance_past_what_a_ledger_holds_is_refused_with_a_message(
        self, clerk_client, ada, downtown
    ):
        account = make_house_account(ada, opening_balance="9999999999.99")

        response = self.entry(clerk_client, account, downtown, "charge", "0.01")

        assert field_errors(response, "amount") == [
            "This would take the balance to USD 10,000,000,000.00, past the most an account "
            "can hold (USD 9,999,999,999.99)."
        ]


def test_the_account_page_shows_what_is_left_to_charge_this_period(clerk_client, ada, downtown):
    """The second hour, point 11."""
    account = make_house_account(
        ada, period_limit_enabled=True, limit_period="monthly", limit_amount=Decimal("300.00")
    )
    house_account_charge(account=account, amount=Decimal("120.50"), store=downtown,
                         reference="", note="", actor=OPS)  # fmt: skip

    page = clerk_client.get(account.get_absolute_url()).content.decode()

    first = timezone.localdate().replace(day=1)
    assert f'id="left-this-period">USD 179.50 (since {first:%a %Y-%m-%d})</dd>' in page


class TestTheStatementHeading:
    """Issue 22, point 10: the printed statement named neither the chain nor the store, and
    its address lacked the apartment, state and ZIP."""

    @pytest.fixture
    def account(self, downtown):
        customer = make_customer(
            first_name="Ada", last_name="Lovelace", stores=[downtown],
            address_line1="12 Analytical Way", address_line2="Apt 4B", city="Austin",
            state="TX", zip_code="78701", country="US",
        )  # fmt: skip
        return make_house_account(customer, account_number="HA-9")

    def statement(self, client, account):
        today = timezone.localdate().isoformat()
        url = reverse("house_accounts:statement", args=[account.pk])
        return client.get(url, {"date_from": today, "date_to": today}).content.decode()

    def test_it_heads_with_the_chain_name_and_the_customers_store(
        self, clerk_client, account, settings
    ):
        settings.CHAIN_NAME = "Bluebird Grocers"

        page = self.statement(clerk_client, account)

        assert '<p class="h4 mb-0" id="statement-chain">Bluebird Grocers</p>' in page
        assert 'id="statement-store">Downtown</p>' in page

    def test_it_heads_with_the_top_bar_store_when_the_customer_shops_at_several(
        self, clerk_client, account, riverside
    ):
        account.customer.stores.add(riverside)

        assert 'id="statement-store">Downtown · Riverside</p>' in self.statement(
            clerk_client, account
        )
        clerk_client.post(reverse("stores:choose"), {"store": riverside.pk})
        assert 'id="statement-store">Riverside</p>' in self.statement(clerk_client, account)

    def test_the_address_has_street_apartment_city_state_zip_and_country(
        self, clerk_client, account
    ):
        page = self.statement(clerk_client, account)

        address = page.split('id="statement-address">')[1].split("</address>")[0]
        lines = [line.strip() for line in address.replace("<strong>", "").split("<br>")]
        assert lines == [
            "Ada Lovelace</strong>", "12 Analytical Way", "Apt 4B", "Austin, TX 78701",
            "United States of America",
        ]  # fmt: skip

    def test_a_business_is_addressed_to_its_company_and_contact(self, clerk_client, downtown):
        customer = make_customer(
            customer_type="business", company_name="Acme", first_name="Wile", last_name="Coyote",
            stores=[downtown], address_line1="1 Desert Rd", city="Tucson",
        )  # fmt: skip
        account = make_house_account(customer, account_number="HA-10")

        page = self.statement(clerk_client, account)

        assert "<strong>Acme</strong><br>Wile Coyote<br>1 Desert Rd<br>Tucson" in page

    def test_the_chain_name_is_read_from_the_environment_with_a_default(self, monkeypatch):
        import importlib

        from backoffice import settings as settings_module

        monkeypatch.setenv("CHAIN_NAME", "  Bluebird Grocers ")
        assert importlib.reload(settings_module).CHAIN_NAME == "Bluebird Grocers"
        monkeypatch.delenv("CHAIN_NAME")
        assert importlib.reload(settings_module).CHAIN_NAME == "Retail Back Office"


def test_the_account_page_heads_with_the_customer_without_a_stray_dot(clerk_client, ada):
    """Issue 22, point 10: the customer's line under the heading started with "·"."""
    account = make_house_account(ada, account_number="HA-11")

    page = clerk_client.get(account.get_absolute_url()).content.decode()

    subtitle = page.split('<span class="text-body-secondary">')[1].split("</span>")[0]
    assert subtitle == f'<a href="{ada.get_absolute_url()}">Ada Lovelace</a>'
    assert 'aria-label="Entries table"' in page
