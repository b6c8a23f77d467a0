"""Counting and keyset paging of every list, shown on the customer list."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode

from backoffice import paging
from backoffice import tables as backoffice_tables
from customers.models import CustomerTally
from loyalty.services import loyalty_update
from tests.factories import OPS, make_customer

LIST_URL = reverse("customers:list")
EXPORT_URL = reverse("customers:export")


def link(response, label):
    """The href of the pagination link called ``label``, or None when it is not a link."""
    found = re.search(rf'<a class="page-link"[^>]*href="([^"]*)">{label}</a>', response.text)
    return LIST_URL + html.unescape(found.group(1)) if found else None


def link_to(response, element_id):
    found = re.search(rf'href="([^"]*)" id="{element_id}"', response.text)
    return LIST_URL + html.unescape(found.group(1))


def shown_ids(response):
    return [customer.pk for customer in response.context["customers"]]


@pytest.fixture
def customers(downtown):
    """120 customers: three pages of 50, 50 and 20."""
    return [make_customer(stores=[downtown], last_name=f"Name{n:03d}") for n in range(120)]


class TestKeysetPages:
    @pytest.mark.parametrize("sort", ["-created", "name", "-name", "email", "balance"])
    def test_next_visits_every_row_once_while_rows_are_added(
        self, clerk_client, customers, downtown, sort
    ):
        url, seen = f"{LIST_URL}?store=DT01&sort={sort}", []
        while url:
            response = clerk_client.get(url)
            seen += shown_ids(response)
            # Someone adds customers between two pages, sorting before and after the page.
            make_customer(stores=[downtown], last_name="Aaron")
            make_customer(stores=[downtown], last_name="Zulu")
            url = link(response, "Next")

        existing = [customer.pk for customer in customers]
        assert sorted(pk for pk in seen if pk in existing) == sorted(existing)
        assert len(seen) == len(set(seen))

    @pytest.mark.parametrize(
        "params",
        [
            {"sort": "-created"},
            {"sort": "name"},
            {"sort": "-balance"},
            {"q": "name", "sort": "email"},
        ],
    )
    def test_a_bare_page_number_shows_the_rows_next_reaches(self, clerk_client, customers, params):
        """An old link's ``page=N`` is answered by keys found first, then their rows."""
        first = clerk_client.get(LIST_URL, {"store": "DT01", **params})
        second = clerk_client.get(link(first, "Next"))
        third = clerk_client.get(link(second, "Next"))

        for number, by_next in ((2, second), (3, third)):
            by_number = clerk_client.get(LIST_URL, {"store": "DT01", **params, "page": number})
            assert shown_ids(by_number) == shown_ids(by_next)
        assert len(shown_ids(third)) == 20

    def test_previous_shows_the_page_before(self, clerk_client, customers):
        first = clerk_client.get(LIST_URL, {"sort": "name", "store": "DT01"})
        second = clerk_client.get(link(first, "Next"))
        back = clerk_client.get(link(second, "Previous"))

        assert shown_ids(back) == shown_ids(first)
        assert back.context["page_obj"].number == 1
        assert link(back, "Previous") is None

    def test_last_shows_the_end_with_its_page_number(self, clerk_client, customers):
        first = clerk_client.get(LIST_URL, {"sort": "name", "store": "DT01"})

        last = clerk_client.get(link(first, "Last"))

        assert [c.last_name for c in last.context["customers"]] == [
            f"Name{n:03d}" for n in range(100, 120)
        ]
        assert "Page 3 of 3" in last.text
        assert link(last, "Next") is None
        previous = clerk_client.get(link(last, "Previous"))
        assert [c.last_name for c in previous.context["customers"]][0] == "Name050"

    @pytest.mark.parametrize("cursor", ["garbage", "WyJ4Il0", "W251bGwsbnVsbF0", "%00"])
    def test_an_edited_cursor_opens_the_first_page(self, clerk_client, customers, cursor):
        response = clerk_client.get(LIST_URL, {"store": "DT01", "after": cursor})

        assert response.status_code == 200
        assert len(shown_ids(response)) == 50

    def test_a_deep_page_costs_the_queries_of_the_first(self, clerk_client, customers):
        with CaptureQueriesContext(connection) as first_page:
            first = clerk_client.get(LIST_URL, {"store": "DT01"})
        third_page_url = link(clerk_client.get(link(first, "Next")), "Next")
        with CaptureQueriesContext(connection) as later_page:
            clerk_client.get(third_page_url)

        assert len(later_page) == len(first_page)
        assert not any("OFFSET" in query["sql"] for query in later_page.captured_queries)


class TestCounts:
    def test_the_unfiltered_count_comes_from_the_tallies(self, clerk_client, customers, downtown):
        # The fixture's customers share one tally row: make it say something else.
        CustomerTally.objects.filter(store_id=downtown.pk).update(count=999)

        response = clerk_client.get(LIST_URL, {"store": "DT01"})

        assert "999 customers match" in response.text

    def test_a_filtered_list_is_counted_up_to_a_bound(self, clerk_client, customers, monkeypatch):
        monkeypatch.setattr(paging, "NARROW_LIMIT", 50)
        monkeypatch.setattr(paging, "COUNT_LIMIT", 100)

        response = clerk_client.get(LIST_URL, {"created_from": "2000-01-01"})

        assert "more than 100 customers match" in response.text
        assert len(shown_ids(response)) == 50
        assert "Page 1" in response.text and "Page 1 of" not in response.text

    def test_a_filtered_list_is_counted_exactly_below_the_bound(self, clerk_client, customers):
        response = clerk_client.get(LIST_URL, {"created_from": "2000-01-01"})

        assert "120 customers match" in response.text
        assert "Count them" not in response.text

    def test_a_search_is_counted_only_so_far_unless_its_count_is_asked_for(
        self, clerk_client, customers, monkeypatch
    ):
        """A common word's count is most of a search's time at a million customers."""
        monkeypatch.setattr(paging, "SEARCH_COUNT_LIMIT", 30)
        with CaptureQueriesContext(connection) as queries:
            response = clerk_client.get(LIST_URL, {"q": "name", "sort": "name"})

        assert "more than 30 customers match" in response.text
        assert not any("COUNT(" in query["sql"] for query in queries.captured_queries)
        assert len(shown_ids(response)) == 50  # the page is whole all the same
        counted = clerk_client.get(link_to(response, "count-them"))
        assert "120 customers match" in counted.text
        assert "Count them" not in counted.text
        assert shown_ids(counted) == shown_ids(response)

    def test_a_search_counted_on_demand_stops_at_the_bound(
        self, clerk_client, customers, monkeypatch
    ):
        monkeypatch.setattr(paging, "SEARCH_COUNT_LIMIT", 30)
        monkeypatch.setattr(paging, "NARROW_LIMIT", 50)
        monkeypatch.setattr(paging, "COUNT_LIMIT", 100)

        response = clerk_client.get(LIST_URL, {"q": "name", "count": "1"})

        assert "more than 100 customers match" in response.text
        assert "Count them" not in response.text  # counted as far as a list is

    def test_a_blank_search_is_counted_as_a_list(self, clerk_client, customers, monkeypatch):
        monkeypatch.setattr(paging, "SEARCH_COUNT_LIMIT", 30)

        response = clerk_client.get(LIST_URL, {"q": "  ", "created_from": "2000-01-01"})

        assert "120 customers match" in response.text
        assert "Count them" not in response.text

    def test_a_small_match_is_counted_exactly(self, clerk_client, customers):
        response = clerk_client.get(LIST_URL, {"q": "name11"})

        assert "10 customers match" in response.text


class TestExportChunks:
    @pytest.mark.parametrize("sort", ["-created", "name", "-balance", "email"])
    def test_small_chunks_give_the_same_file(self, manager_client, customers, monkeypatch, sort):
        for customer in customers[::3]:  # some in the loyalty programme, for the balance
            loyalty_update(customer=customer, enrolled=True, balance=7, reason="x", actor=OPS)
        params = {"store": "DT01", "sort": sort}
        whole = b"".join(manager_client.get(EXPORT_URL, params).streaming_content)

        monkeypatch.setattr(backoffice_tables, "EXPORT_CHUNK_SIZE", 7)
        chunked = b"".join(manager_client.get(EXPORT_URL, params).streaming_content)

        assert chunked == whole
        assert len(whole.splitlines()) == 1 + len(customers)


class TestLargeMatchesReadTheSameRows:
    """Past ``COUNT_LIMIT`` matches, a list reads its rows another way (a store's customers
    by EXISTS, SQLite's matches in sort order): the rows shown stay the same."""

    @pytest.mark.parametrize(
        "params",
        [
            {"store": "DT01"},
            {"store": "DT01", "sort": "name"},
            {"q": "name0"},
            {"q": "name0", "sort": "-balance"},
            {"loyalty": "not_enrolled", "store": "all"},
        ],
    )
    def test_rows_and_pages(self, clerk_client, customers, riverside, monkeypatch, params):
        make_customer(stores=[riverside], last_name="Name0Elsewhere")

        def every_page(**query):
            ids, url = [], f"{LIST_URL}?{urlencode(query)}"
            while url:
                response = clerk_client.get(url)
                ids += shown_ids(response)
                url = link(response, "Next")
            return ids

        expected = every_page(**params)
        monkeypatch.setattr(paging, "COUNT_LIMIT", 3)
        monkeypatch.setattr(paging, "NARROW_LIMIT", 3)

        assert every_page(**params) == expected
        assert len(expected) > 3
