"""The Customers list: who may see it, what it shows, and how search finds people."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_customer

LIST_URL = reverse("customers:list")


def names_on_page(response):
    return [customer.full_name for customer in response.context["customers"]]


class TestAccess:
    @pytest.mark.parametrize("url_name", ["customers:list", "customers:create"])
    def test_signed_out_visitor_is_sent_to_sign_in(self, client, db, url_name):
        url = reverse(url_name)

        response = client.get(url)

        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={url}"

    def test_signed_out_visitor_cannot_open_an_edit_page(self, client, db):
        customer = make_customer()
        url = reverse("customers:edit", args=[customer.pk])

        assert client.get(url).url == f"{reverse('login')}?next={url}"

    @pytest.mark.parametrize("url_name", ["customers:list", "customers:create"])
    def test_user_without_permission_is_refused(self, client, outsider, url_name):
        client.force_login(outsider)

        assert client.get(reverse(url_name)).status_code == 403

    def test_user_without_permission_cannot_edit_or_see_photos(self, client, outsider):
        customer = make_customer(first_name="Secret")
        client.force_login(outsider)

        edit = client.get(reverse("customers:edit", args=[customer.pk]))
        post = client.post(reverse("customers:edit", args=[customer.pk]), {"first_name": "X"})
        photo = client.get(reverse("customers:photo", args=[customer.pk]))

        assert (edit.status_code, post.status_code, photo.status_code) == (403, 403, 403)
        customer.refresh_from_db()
        assert customer.first_name == "Secret"

    def test_home_leads_to_the_customer_list(self, clerk_client):
        assert clerk_client.get("/").url == LIST_URL


class TestListing:
    def test_table_shows_the_customer_columns(self, clerk_client, downtown):
        make_customer(
            first_name="Ada",
            last_name="Lovelace",
            email="ada@example.com",
            phone="+442079460958",
            stores=[downtown],
            loyalty_balance=120,
        )

        html = clerk_client.get(LIST_URL).content.decode()

        for text in (
            "Ada Lovelace",
            "ada@example.com",
            "+44 20 7946 0958",
            "Downtown",
            "Enrolled",
            "120",
        ):
            assert text in html

    def test_newest_customers_come_first(self, clerk_client):
        now = timezone.now()
        make_customer(first_name="Old", created_at=now - datetime.timedelta(days=3))
        make_customer(first_name="New", created_at=now)
        make_customer(first_name="Middle", created_at=now - datetime.timedelta(days=1))

        names = [name.split()[0] for name in names_on_page(clerk_client.get(LIST_URL))]

        assert names == ["New", "Middle", "Old"]

    def test_fifty_customers_a_page(self, clerk_client, downtown):
        for _ in range(51):
            make_customer(stores=[downtown])

        first = clerk_client.get(LIST_URL)
        second = clerk_client.get(LIST_URL, {"page": 2})

        assert len(first.context["customers"]) == 50
        assert len(second.context["customers"]) == 1
        assert "Page 1 of 2" in first.content.decode()


class TestSearch:
    @pytest.fixture(autouse=True)
    def customers(self, db):
        make_customer(
            first_name="Ada",
            last_name="Lovelace",
            email="ada@analytical.org",
            phone="+14155550123",
            id_number="C-0042",
        )
        make_customer(
            first_name="Grace",
            last_name="Hopper",
            email="grace@navy.mil",
            phone="+12025550143",
            id_number="C-0099",
        )

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("ada", ["Ada Lovelace"]),
            ("LOVE", ["Ada Lovelace"]),
            ("hop", ["Grace Hopper"]),
            ("navy.mil", ["Grace Hopper"]),
            ("415 555", ["Ada Lovelace"]),
            ("(202) 555-0143", ["Grace Hopper"]),
            ("c-0099", ["Grace Hopper"]),
            ("grace hopper", ["Grace Hopper"]),
            ("grace lovelace", []),
            ("zzz", []),
        ],
    )
    def test_search_matches_parts_of_words_in_any_case(self, clerk_client, query, expected):
        response = clerk_client.get(LIST_URL, {"q": query})

        assert names_on_page(response) == expected

    def test_search_box_keeps_the_query(self, clerk_client):
        html = clerk_client.get(LIST_URL, {"q": "hop"}).content.decode()

        assert 'value="hop"' in html
        assert "1 customer matches" in html
