from django.urls import reverse

from loyalty.services import loyalty_update
from tests.factories import make_customer


def test_customer_page_shows_details_stores_loyalty_history_and_authors(
    manager_client, manager, downtown
):
    customer = make_customer(
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.com",
        city="London",
        notes="Likes <script>alert(1)</script> tea",
        stores=[downtown],
        loyalty_balance=100,
        user=manager,
    )
    loyalty_update(customer=customer, enrolled=True, balance=80, reason="Redeemed", actor=manager)

    html = manager_client.get(reverse("customers:detail", args=[customer.pk])).content.decode()

    for text in (
        "Ada Lovelace",
        "ada@example.com",
        "London",
        "Downtown (DT01)",
        "80</span> points",
        "Redeemed",
        "-20",
        "+100",
        "by Mona Manager",
    ):
        assert text in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f'href="{reverse("customers:edit", args=[customer.pk])}"' in html
    assert ">Delete</button>" in html


def test_list_rows_lead_to_the_customer_page_and_back(clerk_client):
    customer = make_customer()

    html = clerk_client.get(reverse("customers:list")).content.decode()

    detail_url = reverse("customers:detail", args=[customer.pk])
    assert f'data-href="{detail_url}?next=%2Fcustomers%2F"' in html


def test_clerk_sees_edit_but_not_delete(clerk_client):
    customer = make_customer()

    html = clerk_client.get(reverse("customers:detail", args=[customer.pk])).content.decode()

    assert ">Edit</a>" in html
    assert ">Delete</button>" not in html
