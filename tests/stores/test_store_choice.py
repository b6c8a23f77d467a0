"""The top bar's Store dropdown and what it changes."""

import pytest
from django.urls import reverse

from tests.factories import make_customer, make_store
from tests.forms import form_data

LIST_URL = reverse("customers:list")
CHOOSE_URL = reverse("stores:choose")


@pytest.fixture
def customers(downtown, riverside):
    make_customer(first_name="Dora", last_name="Downtown", stores=[downtown])
    make_customer(first_name="Rita", last_name="Riverside", stores=[riverside])


def names(response):
    return [customer.full_name for customer in response.context["customers"]]


def test_dropdown_lists_active_stores_and_all_stores(clerk_client, downtown, riverside):
    make_store("Closed Store", is_active=False)

    html = clerk_client.get(LIST_URL).content.decode()

    dropdown = html[html.index('id="current-store"') : html.index("</select>")]
    assert "All stores" in dropdown
    assert "Downtown" in dropdown and "Riverside" in dropdown
    assert "Closed Store" not in dropdown


def test_chosen_store_is_remembered_and_limits_the_list(clerk_client, customers, riverside):
    response = clerk_client.post(CHOOSE_URL, {"store": riverside.pk, "next": LIST_URL})

    assert response.url == LIST_URL
    assert names(clerk_client.get(LIST_URL)) == ["Rita Riverside"]
    assert names(clerk_client.get(LIST_URL, {"page": 1})) == ["Rita Riverside"]


def test_search_reaches_the_whole_chain(clerk_client, customers, riverside):
    clerk_client.post(CHOOSE_URL, {"store": riverside.pk})

    response = clerk_client.get(LIST_URL, {"q": "dora"})

    assert names(response) == ["Dora Downtown"]
    assert "in all stores" in response.content.decode()


def test_search_from_the_filter_form_reaches_the_whole_chain(clerk_client, customers, riverside):
    clerk_client.post(CHOOSE_URL, {"store": riverside.pk})
    form = form_data(clerk_client.get(LIST_URL), "list-tools")
    assert form["store"] == [""]  # the form follows the top bar, it does not repeat it

    form["q"] = "dora"
    response = clerk_client.get(LIST_URL, form)

    assert names(response) == ["Dora Downtown"]


def test_filter_offers_the_top_bar_store_and_all_stores(clerk_client, customers, riverside):
    clerk_client.post(CHOOSE_URL, {"store": riverside.pk})

    html = clerk_client.get(LIST_URL).content.decode()

    assert '<option value="" selected>Current store</option>' in html
    assert "at Riverside</small>" in html
    assert '<option value="all">All stores</option>' in html


def test_tiles_count_the_chosen_store_even_during_a_search(clerk_client, customers, riverside):
    clerk_client.post(CHOOSE_URL, {"store": riverside.pk})

    response = clerk_client.get(LIST_URL, {"q": "a"})

    tiles = {tile["label"]: tile["count"] for tile in response.context["tiles"]}
    assert tiles["Total customers"] == 1


def test_store_all_in_the_url_lifts_the_choice(clerk_client, customers, riverside):
    clerk_client.post(CHOOSE_URL, {"store": riverside.pk})

    assert len(names(clerk_client.get(LIST_URL, {"store": "all"}))) == 2


def test_all_stores_forgets_the_choice(clerk_client, customers, riverside):
    clerk_client.post(CHOOSE_URL, {"store": riverside.pk})
    clerk_client.post(CHOOSE_URL, {"store": ""})

    assert len(names(clerk_client.get(LIST_URL))) == 2


def test_new_customer_form_starts_with_the_chosen_store_ticked(clerk_client, riverside, downtown):
    clerk_client.post(CHOOSE_URL, {"store": riverside.pk})

    data = form_data(clerk_client.get(reverse("customers:create")), "customer-form")

    assert data["stores"] == [str(riverside.pk)]


def test_inactive_store_cannot_be_chosen(clerk_client):
    closed = make_store("Closed", is_active=False)

    assert clerk_client.post(CHOOSE_URL, {"store": closed.pk}).status_code == 400


def test_next_pointing_elsewhere_is_not_followed(clerk_client, downtown):
    response = clerk_client.post(
        CHOOSE_URL, {"store": downtown.pk, "next": "https://evil.example/"}
    )

    assert response.url == LIST_URL


def test_signed_out_visitor_cannot_choose(client, downtown):
    assert client.post(CHOOSE_URL, {"store": downtown.pk}).url.startswith(reverse("login"))
