"""Filters, sort, tiles and URL state of the customer list."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import CustomerTally
from tests.factories import make_customer

LIST_URL = reverse("customers:list")


def names(response):
    return [customer.display_name for customer in response.context["customers"]]


class TestFilters:
    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({}, ["Ada Lovelace", "Acme Ltd", "Grace Hopper", "Zeta Corp"]),
            ({"type": "personal"}, ["Ada Lovelace", "Grace Hopper"]),
            ({"type": "business"}, ["Acme Ltd", "Zeta Corp"]),
            ({"store": "DT01"}, ["Ada Lovelace", "Grace Hopper", "Zeta Corp"]),
            ({"store": "RV02"}, ["Acme Ltd", "Grace Hopper"]),
            ({"loyalty": "enrolled"}, ["Ada Lovelace", "Acme Ltd", "Zeta Corp"]),
            ({"loyalty": "not_enrolled"}, ["Grace Hopper"]),
            ({"loyalty": "yes"}, ["Ada Lovelace", "Acme Ltd", "Zeta Corp"]),
            ({"type": "business", "store": "DT01"}, ["Zeta Corp"]),
            ({"type": "personal", "loyalty": "enrolled", "store": "DT01"}, ["Ada Lovelace"]),
        ],
    )
    def test_each_filter_alone_and_combined(self, clerk_client, chain, params, expected):
        assert names(clerk_client.get(LIST_URL, params)) == expected

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"q": "a", "type": "business"}, ["Acme Ltd", "Zeta Corp"]),
            ({"q": "acme"}, ["Acme Ltd"]),
            ({"q": "example.com", "store": "RV02"}, ["Grace Hopper"]),
            ({"q": "o", "loyalty": "not_enrolled"}, ["Grace Hopper"]),
            ({"q": "zzz", "type": "business"}, []),
        ],
    )
    def test_filters_combine_with_search(self, clerk_client, chain, params, expected):
        assert names(clerk_client.get(LIST_URL, params)) == expected

    def test_store_can_be_given_by_primary_key(self, clerk_client, chain, riverside):
        assert names(clerk_client.get(LIST_URL, {"store": riverside.pk})) == [
            "Acme Ltd",
            "Grace Hopper",
        ]

    def test_created_from_keeps_newer_customers(self, clerk_client, chain):
        since = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()

        assert names(clerk_client.get(LIST_URL, {"created_from": since})) == [
            "Ada Lovelace",
            "Acme Ltd",
        ]

    def test_unknown_filter_value_shows_no_customers_and_says_so(self, clerk_client, chain):
        response = clerk_client.get(LIST_URL, {"type": "alien"})

        assert names(response) == []
        assert "Some filters were not understood" in response.content.decode()

    def test_the_count_of_matches_is_shown(self, clerk_client, chain):
        html = clerk_client.get(LIST_URL, {"type": "business"}).content.decode()

        assert "2 customers match" in html


class TestSort:
    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            ("name", ["Acme Ltd", "Grace Hopper", "Ada Lovelace", "Zeta Corp"]),
            ("-name", ["Zeta Corp", "Ada Lovelace", "Grace Hopper", "Acme Ltd"]),
            ("email", ["Ada Lovelace", "Acme Ltd", "Grace Hopper", "Zeta Corp"]),
            ("-email", ["Zeta Corp", "Grace Hopper", "Acme Ltd", "Ada Lovelace"]),
            ("created", ["Zeta Corp", "Grace Hopper", "Acme Ltd", "Ada Lovelace"]),
            ("-created", ["Ada Lovelace", "Acme Ltd", "Grace Hopper", "Zeta Corp"]),
            ("balance", ["Acme Ltd", "Ada Lovelace", "Zeta Corp", "Grace Hopper"]),
            ("-balance", ["Zeta Corp", "Ada Lovelace", "Acme Ltd", "Grace Hopper"]),
        ],
    )
    def test_sort_by_each_column_both_ways(self, clerk_client, chain, sort, expected):
        assert names(clerk_client.get(LIST_URL, {"sort": sort})) == expected

    def test_unknown_sort_falls_back_to_newest_first(self, clerk_client, chain):
        response = clerk_client.get(LIST_URL, {"sort": "bogus"})

        assert names(response) == ["Ada Lovelace", "Acme Ltd", "Grace Hopper", "Zeta Corp"]
        assert "not understood" not in response.content.decode()

    def test_sort_combines_with_filter_and_search(self, clerk_client, chain):
        response = clerk_client.get(LIST_URL, {"q": "e", "type": "business", "sort": "-balance"})

        assert names(response) == ["Zeta Corp", "Acme Ltd"]

    def test_clicking_a_header_sorts_and_clicking_again_reverses(self, clerk_client, chain):
        html = clerk_client.get(LIST_URL, {"type": "personal"}).content.decode()
        assert 'href="?type=personal&amp;sort=name"' in html

        html = clerk_client.get(LIST_URL, {"type": "personal", "sort": "name"}).content.decode()
        assert 'href="?type=personal&amp;sort=-name"' in html
        assert 'aria-sort="ascending"' in html


class TestUrlState:
    def test_pages_keep_search_filters_and_sort(self, clerk_client, downtown):
        for number in range(55):
            make_customer(first_name="Pat", last_name=f"Smith{number:02d}", stores=[downtown])

        first = clerk_client.get(LIST_URL, {"q": "pat", "store": "DT01", "sort": "name"})

        next_link = re.search(r'href="(\?[^"]*page=2[^"]*)"', first.content.decode()).group(1)
        second = clerk_client.get(LIST_URL + next_link.replace("&amp;", "&"))
        assert names(second) == [f"Pat Smith{number}" for number in range(50, 55)]

    @pytest.mark.parametrize("page", ["99", "abc"])
    def test_a_page_out_of_range_shows_the_nearest_page(self, clerk_client, chain, page):
        response = clerk_client.get(LIST_URL, {"page": page})

        assert response.status_code == 200
        assert len(names(response)) == 4

    def test_store_code_in_any_case(self, clerk_client, chain):
        assert len(names(clerk_client.get(LIST_URL, {"store": "dt01"}))) == 3

    def test_filter_form_shows_the_state_of_the_url(self, clerk_client, chain):
        html = clerk_client.get(
            LIST_URL, {"q": "ada", "type": "personal", "loyalty": "enrolled", "store": "DT01"}
        ).content.decode()

        assert 'value="ada"' in html
        assert '<option value="personal" selected>' in html
        assert '<option value="enrolled" selected>' in html
        assert '<option value="DT01" selected>' in html


class TestTiles:
    def test_tiles_count_the_current_store_and_link_to_the_filtered_list(
        self, clerk_client, chain, downtown
    ):
        response = clerk_client.get(LIST_URL, {"store": "DT01"})

        tiles = {tile["label"]: (tile["count"], tile["url"]) for tile in response.context["tiles"]}
        assert tiles["Total customers"][0] == 3
        assert tiles["Loyalty members"] == (2, f"{LIST_URL}?store=DT01&loyalty=enrolled")
        assert tiles["Business customers"] == (1, f"{LIST_URL}?store=DT01&type=business")
        business = clerk_client.get(tiles["Business customers"][1])
        assert names(business) == ["Zeta Corp"]

    def test_a_chains_counts_read_with_thousands_separators(self, clerk_client, chain):
        chain_rows = CustomerTally.objects.filter(store_id=CustomerTally.CHAIN)
        chain_rows.update(count=0)
        chain_rows.filter(pk=chain_rows.earliest("pk").pk).update(count=1_234_567)

        response = clerk_client.get(LIST_URL, {"store": "all"})

        assert '<span class="tile-count text-body">1,234,567</span>' in response.text

    def test_new_this_month_counts_customers_created_since_the_first(self, clerk_client, db):
        today = timezone.localdate()
        first_of_month = timezone.make_aware(
            datetime.datetime.combine(today.replace(day=1), datetime.time(9))
        )
        make_customer(created_at=first_of_month)
        make_customer(created_at=first_of_month - datetime.timedelta(days=1))

        tiles = {
            tile["label"]: tile["count"] for tile in clerk_client.get(LIST_URL).context["tiles"]
        }

        assert tiles["New this month"] == 1
        assert tiles["Total customers"] == 2

    def test_the_tile_of_the_current_filter_is_marked(self, clerk_client, chain):
        response = clerk_client.get(LIST_URL, {"store": "DT01", "type": "business"})

        active = [tile["label"] for tile in response.context["tiles"] if tile["active"]]
        assert active == ["Business customers"]


class TestQueryCount:
    """The list's queries do not grow with the number of customers (no N+1)."""

    def test_list_page_queries_are_the_same_for_10_and_500_customers(
        self, clerk_client, downtown, riverside, django_assert_max_num_queries
    ):
        stores = [downtown, riverside]
        for _ in range(10):
            make_customer(stores=stores, loyalty_balance=10)
        with CaptureQueriesContext(connection) as with_10:
            clerk_client.get(LIST_URL, {"sort": "balance"})
        for _ in range(490):
            make_customer(stores=stores, loyalty_balance=10)

        with django_assert_max_num_queries(len(with_10)):
            response = clerk_client.get(LIST_URL, {"sort": "balance"})
        assert len(response.context["customers"]) == 50
