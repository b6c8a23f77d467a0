"""Notes: at most 2,000 characters, and long ones clamped on the customer page."""

from django.urls import reverse

from customers.models import Customer
from tests.factories import make_customer
from tests.forms import field_errors, form_data


def test_notes_over_2000_characters_are_refused_and_kept(clerk_client, downtown):
    customer = make_customer(stores=[downtown])
    url = reverse("customers:edit", args=[customer.pk])
    data = form_data(clerk_client.get(url), "customer-form")
    data["notes"] = "x" * 2001

    response = clerk_client.post(url, data)

    assert field_errors(response, "notes") == [
        "Ensure this value has at most 2000 characters (it has 2001)."
    ]
    assert form_data(response, "customer-form")["notes"] == ["x" * 2001]
    assert Customer.objects.get().notes == ""


def test_the_notes_box_says_its_limit(clerk_client, db):
    html = clerk_client.get(reverse("customers:create")).content.decode()

    assert 'maxlength="2000"' in html


def test_long_notes_are_clamped_with_show_all(clerk_client, downtown):
    long_notes = make_customer(stores=[downtown], notes="Prefers email. " * 40)
    short_notes = make_customer(stores=[downtown], notes="Prefers email.")

    long_page = clerk_client.get(long_notes.get_absolute_url()).content.decode()
    short_page = clerk_client.get(short_notes.get_absolute_url()).content.decode()

    assert 'class="clamped" id="customer-notes"' in long_page and "Show all" in long_page
    assert "Show all" not in short_page
