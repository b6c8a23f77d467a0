"""Loyalty in the browser's pages: the history, adjusting points, the customer form's
balance, and handing out loyalty cards."""

import re

import pytest
from django.urls import reverse

from customers.models import Customer
from loyalty.models import LoyaltyLedgerEntry
from loyalty.services import (
    LoyaltyError,
    card_assign,
    card_batch_generate,
    loyalty_adjust,
    loyalty_enrol,
)
from tests.factories import OPS, make_customer
from tests.forms import field_errors, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(downtown):
    """Ada has 100 points."""
    return make_customer(
        first_name="Ada", last_name="Lovelace", email="ada@example.com", stores=[downtown],
        loyalty_balance=100,
    )  # fmt: skip


@pytest.fixture
def cards():
    """Five printed cards, none handed out yet."""
    batch = card_batch_generate(size=5, actor=OPS)
    return list(batch.cards.order_by("pk").values_list("code", flat=True))


def adjust_url(customer):
    return reverse("loyalty:adjust", args=[customer.pk])


def balance_of(customer):
    return Customer.objects.get(pk=customer.pk).loyalty_account.balance


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


class TestAdjustingPoints:
    def test_the_page_shows_the_balance_and_the_reasons(self, clerk_client, ada):
        response = clerk_client.get(adjust_url(ada))

        page = response.content.decode()
        assert 'id="current-balance">100<' in page
        reasons = [label for _, label in response.context["form"].fields["reason"].choices][1:]
        assert reasons == [
            "Purchase", "Return", "Goodwill", "Correction", "Redemption", "Expiry", "Other",
        ]  # fmt: skip

    def test_adding_points_goes_back_to_the_customer_with_the_new_balance(
        self, clerk_client, clerk, ada
    ):
        response = clerk_client.post(
            adjust_url(ada),
            {"delta": "50", "reason": "goodwill", "note": "Late order"},
            follow=True,
        )

        assert response.redirect_chain[-1][0] == ada.get_absolute_url()
        assert messages_of(response) == [
            "+50 points (Goodwill) for Ada Lovelace: the balance is now 150."
        ]
        assert balance_of(ada) == 150
        cells = response.content.decode()
        assert "Late order" in cells and "+50" in cells
        latest = LoyaltyLedgerEntry.objects.filter(account__customer=ada).first()
        assert (latest.created_by, latest.balance_after) == (clerk, 150)

    def test_taking_off_more_than_the_balance_is_refused_with_the_balance(self, clerk_client, ada):
        response = clerk_client.post(adjust_url(ada), {"delta": "-150", "reason": "redemption"})

        assert field_errors(response, "delta") == [
            "The balance is 100 points: at most 100 can be taken off."
        ]
        assert form_data(response, "adjustment-form")["delta"] == ["-150"]
        assert balance_of(ada) == 100

    def test_a_race_to_below_zero_is_refused_by_the_service(self, clerk_client, ada, monkeypatch):
        """The form checks against the balance it read; the service, under the row lock,
        against the balance as it is."""
        loyalty_adjust(
            account=ada.loyalty_account, delta=-90, reason="redemption", note="", actor=OPS
        )
        monkeypatch.setattr("loyalty.forms.AdjustmentForm.clean_delta", lambda form: -50)

        response = clerk_client.post(adjust_url(ada), {"delta": "-50", "reason": "redemption"})

        assert "it is 10 points" in field_errors(response, "delta")[0]
        assert balance_of(ada) == 10

    def test_a_balance_past_the_ceiling_is_refused_not_a_500(self, clerk_client, ada):
        """The 214th +10,000,000 once overflowed the database's integer; the ceiling is
        MAX_POINTS (1,000,000,000)."""
        for _ in range(99):
            loyalty_adjust(
                account=ada.loyalty_account, delta=10_000_000, reason="goodwill", note="",
                actor=OPS,
            )  # fmt: skip
        assert balance_of(ada) == 990_000_100

        response = clerk_client.post(adjust_url(ada), {"delta": "10000000", "reason": "goodwill"})

        assert field_errors(response, "delta") == [
            "The balance is 990,000,100 points, and an account holds at most 1,000,000,000: "
            "at most 9,999,900 can be added."
        ]
        assert balance_of(ada) == 990_000_100

    def test_the_service_refuses_past_the_ceiling_under_its_lock(self, ada):
        with pytest.raises(LoyaltyError, match="at most 999,999,900 can be added"):
            loyalty_adjust(
                account=ada.loyalty_account, delta=1_000_000_000, reason="goodwill", note="",
                actor=OPS,
            )  # fmt: skip

    @pytest.mark.parametrize("reason", ["correction", "other"])
    def test_a_correction_or_other_needs_a_note(self, clerk_client, ada, reason):
        response = clerk_client.post(adjust_url(ada), {"delta": "5", "reason": reason})

        assert field_errors(response, "note")[0].startswith("Say what happened")
        assert balance_of(ada) == 100

    @pytest.mark.parametrize("delta", ["0", "", "ten", "1e3", "99999999999"])
    def test_a_change_that_is_no_number_of_points_is_refused(self, clerk_client, ada, delta):
        response = clerk_client.post(adjust_url(ada), {"delta": delta, "reason": "goodwill"})

        assert response.status_code == 200
        assert field_errors(response, "delta")
        assert balance_of(ada) == 100

    def test_a_customer_out_of_the_programme_cannot_be_adjusted(self, clerk_client, ada):
        loyalty_enrol(customer=ada, enrolled=False, actor=OPS)

        page = clerk_client.get(adjust_url(ada)).content.decode()
        response = clerk_client.post(adjust_url(ada), {"delta": "5", "reason": "goodwill"})

        assert "not enrolled in the loyalty programme" in page
        assert response.status_code == 200
        assert balance_of(ada) == 100

    def test_a_deleted_customer_has_no_adjustment_page(self, clerk_client, ada):
        Customer.objects.filter(pk=ada.pk).update(deleted_at="2026-01-01T00:00:00Z")

        assert clerk_client.get(adjust_url(ada)).status_code == 404


class TestHistory:
    def test_the_customer_page_shows_the_latest_entries_and_links_to_all(self, clerk_client, ada):
        for number in range(12):
            loyalty_adjust(
                account=ada.loyalty_account, delta=1, reason="purchase", note=f"Sale {number}",
                actor=OPS,
            )  # fmt: skip

        response = clerk_client.get(ada.get_absolute_url())

        table = response.context["ledger_table"]
        assert [column.header for column in table.columns] == [
            "When", "Change", "Reason", "Note", "Who", "Balance after",
        ]  # fmt: skip
        assert [entry.note for entry in table.data][:2] == ["Sale 11", "Sale 10"]
        assert len(table.data) == 10
        assert "All 14 entries" in response.content.decode()

    def test_the_whole_history_is_a_paged_list(self, clerk_client, ada):
        for _ in range(60):
            loyalty_adjust(
                account=ada.loyalty_account, delta=1, reason="purchase", note="", actor=OPS
            )

        url = reverse("loyalty:ledger", args=[ada.pk])
        first = clerk_client.get(url)
        second = clerk_client.get(url, {"after": first.context["page_obj"].next_cursor})

        assert len(first.context["entries"]) == 50
        assert first.context["entries"][0].balance_after == 160
        assert [entry.balance_after for entry in second.context["entries"]][-2:] == [100, 0]

    def test_out_of_the_programme_the_balance_and_history_are_greyed_out(self, clerk_client, ada):
        loyalty_enrol(customer=ada, enrolled=False, actor=OPS)

        page = clerk_client.get(ada.get_absolute_url()).content.decode()

        assert "Not enrolled" in page and "100</span> points kept from before" in page
        assert "Adjust points" not in page
        assert "opacity-75" in page


class TestTheCustomerFormsBalance:
    def edit(self, client, customer):
        url = reverse("customers:edit", args=[customer.pk])
        return url, form_data(client.get(url), "customer-form")

    def test_a_balance_typed_before_another_change_is_refused(self, clerk_client, ada):
        url, data = self.edit(clerk_client, ada)
        loyalty_adjust(account=ada.loyalty_account, delta=25, reason="purchase", note="", actor=OPS)
        data.update(city="Paris", loyalty_balance="10", loyalty_reason="correction")
        data["loyalty_note"] = "Counted again"

        response = clerk_client.post(url, data)

        assert response.status_code == 200
        assert (
            "changed to 125 points while you were editing"
            in field_errors(response, "loyalty_balance")[0]
        )
        shown = form_data(response, "customer-form")
        assert (shown["loyalty_balance"], shown["city"]) == (["125"], ["Paris"])
        assert balance_of(ada) == 125
        assert Customer.objects.get(pk=ada.pk).city == ""

        clerk_client.post(url, shown)  # saving again is a fresh decision: 125 stays

        assert balance_of(ada) == 125
        assert Customer.objects.get(pk=ada.pk).city == "Paris"

    def test_a_balance_left_alone_does_not_undo_a_change_made_meanwhile(self, clerk_client, ada):
        url, data = self.edit(clerk_client, ada)
        loyalty_adjust(account=ada.loyalty_account, delta=25, reason="purchase", note="", actor=OPS)
        data["city"] = "Paris"

        response = clerk_client.post(url, data)

        assert response.status_code == 302
        assert balance_of(ada) == 125
        assert Customer.objects.get(pk=ada.pk).city == "Paris"

    def test_a_card_is_given_with_the_loyalty_code_field(self, clerk_client, ada, cards):
        url, data = self.edit(clerk_client, ada)
        data["loyalty_code"] = cards[0].lower()

        clerk_client.post(url, data)

        assert Customer.objects.get(pk=ada.pk).loyalty_card.code == cards[0]

    def test_a_card_given_meanwhile_is_not_taken_away_by_an_older_form(
        self, clerk_client, ada, cards
    ):
        url, data = self.edit(clerk_client, ada)
        card_assign(customer=ada, code=cards[0], actor=OPS)
        data["city"] = "Paris"

        clerk_client.post(url, data)

        assert Customer.objects.get(pk=ada.pk).loyalty_card.code == cards[0]

    def test_clearing_the_code_takes_the_card_away(self, clerk_client, ada, cards):
        card_assign(customer=ada, code=cards[0], actor=OPS)
        url, data = self.edit(clerk_client, ada)
        data["loyalty_code"] = ""

        clerk_client.post(url, data)

        assert not Customer.objects.filter(pk=ada.pk, loyalty_card__isnull=False).exists()

    def test_unknown_mistyped_and_used_codes_are_refused_saying_which(
        self, clerk_client, ada, cards
    ):
        grace = make_customer(first_name="Grace", last_name="Hopper")
        card_assign(customer=grace, code=cards[1], actor=OPS)
        url, data = self.edit(clerk_client, ada)
        mistyped = ("3" if cards[0][0] == "2" else "2") + cards[0][1:]
        for code, message in [
            (mistyped, "check character does not match"),
            ("2" * 10, "No loyalty card has the code 2222222222"),  # well formed, not printed
            (cards[1], f"The card {cards[1]} is already used by Grace Hopper"),
        ]:
            data["loyalty_code"] = code
            response = clerk_client.post(url, data)
            assert message in field_errors(response, "loyalty_code")[0], code
        assert not hasattr(Customer.objects.get(pk=ada.pk), "loyalty_card")


class TestHandingOutCards:
    def test_a_card_is_given_by_typing_or_scanning_it_on_the_customer_page(
        self, clerk_client, clerk, ada, cards
    ):
        page = clerk_client.get(ada.get_absolute_url()).content.decode()
        assert reverse("loyalty:assign_card", args=[ada.pk]) in page

        response = clerk_client.post(
            reverse("loyalty:assign_card", args=[ada.pk]),
            {"code": f" {cards[2][:5]}-{cards[2][5:]} "},
            follow=True,
        )

        assert messages_of(response) == [f"Loyalty card {cards[2]} now belongs to Ada Lovelace."]
        assert f'id="loyalty-code">{cards[2]}<' in response.content.decode()
        event = response.context["history"].object_list[0]
        assert event.summary == f"Loyalty card {cards[2]} assigned"

    def test_a_used_card_is_refused_and_the_typed_code_kept(self, clerk_client, ada, cards):
        card_assign(customer=make_customer(), code=cards[0], actor=OPS)

        response = clerk_client.post(
            reverse("loyalty:assign_card", args=[ada.pk]), {"code": cards[0]}
        )

        assert "is already used by" in field_errors(response, "code")[0]
        assert form_data(response, "card-form")["code"] == [cards[0]]

    def test_the_customer_list_finds_a_customer_by_card_code(self, clerk_client, ada, cards):
        make_customer(first_name="Other", last_name="Person")
        card_assign(customer=ada, code=cards[3], actor=OPS)

        response = clerk_client.get(
            reverse("customers:list"), {"q": cards[3].lower(), "store": "all"}
        )

        assert [customer.pk for customer in response.context["customers"]] == [ada.pk]


@pytest.mark.parametrize(
    ("url_name", "highlighted"),
    [("loyalty:adjust", "Customers"), ("loyalty:ledger", "Customers"),
     ("loyalty:assign_card", "Customers"), ("loyalty:batches", "Loyalty cards")],
)  # fmt: skip
def test_the_top_bar_highlights_where_the_page_belongs(manager_client, ada, url_name, highlighted):
    """The second hour, point 11: Adjust points highlighted "Loyalty cards"."""
    kwargs = {} if url_name == "loyalty:batches" else {"customer_pk": ada.pk}

    page = manager_client.get(reverse(url_name, kwargs=kwargs)).content.decode()

    active = re.findall(r'class="nav-link active" aria-current="page" href="[^"]*">([^<]+)<', page)
    assert active == [highlighted]
