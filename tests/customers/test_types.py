"""Personal and Business customers on the customer page."""

import datetime
import re

import pytest
from django.urls import reverse

from customers.models import Customer
from tests.factories import make_customer
from tests.forms import field_errors, form_data

NEW_URL = reverse("customers:create")


def edit_url(customer):
    return reverse("customers:edit", args=[customer.pk])


@pytest.fixture
def business_data(clerk_client, downtown):
    data = form_data(clerk_client.get(NEW_URL, {"type": "business"}), "customer-form")
    data.update(
        first_name="Bob",
        last_name="Contact",
        email="bob@acme.example",
        company_name="Acme Ltd",
        stores=[str(downtown.pk)],
    )
    return data


def test_new_menu_offers_personal_and_business(clerk_client):
    html = clerk_client.get(reverse("customers:list")).content.decode()

    assert f'href="{NEW_URL}?type=personal&amp;next=/customers/"' in html
    assert f'href="{NEW_URL}?type=business&amp;next=/customers/"' in html


def test_business_form_starts_with_business_ticked(clerk_client):
    data = form_data(clerk_client.get(NEW_URL, {"type": "business"}), "customer-form")

    assert data["customer_type"] == ["business"]


def test_business_customer_is_created_with_its_company_fields(clerk_client, business_data):
    business_data.update(tax_id="DE123456789", website="https://acme.example")

    response = clerk_client.post(NEW_URL, business_data)

    assert response.status_code == 302
    customer = Customer.objects.get()
    assert customer.customer_type == "business"
    assert (customer.company_name, customer.tax_id, customer.website) == (
        "Acme Ltd",
        "DE123456789",
        "https://acme.example",
    )
    assert str(customer) == "Acme Ltd"


def test_business_without_company_name_is_refused(clerk_client, business_data):
    business_data["company_name"] = ""

    response = clerk_client.post(NEW_URL, business_data)

    assert field_errors(response, "company_name") == ["A business customer needs a company name."]
    assert not Customer.objects.exists()


def test_personal_only_fields_are_ignored_for_business(clerk_client, business_data):
    business_data.update(gender="female", date_of_birth="2999-01-01", nationality="FR")

    response = clerk_client.post(NEW_URL, business_data)

    assert response.status_code == 302
    customer = Customer.objects.get()
    assert (customer.gender, customer.date_of_birth, customer.nationality) == ("", None, "")


def test_business_fields_are_ignored_for_personal(clerk_client, business_data):
    business_data.update(customer_type="personal", tax_id="X1")

    clerk_client.post(NEW_URL, business_data)

    customer = Customer.objects.get()
    assert (customer.customer_type, customer.company_name, customer.tax_id) == ("personal", "", "")


def test_post_without_a_type_creates_a_personal_customer(clerk_client, downtown):
    response = clerk_client.post(
        NEW_URL,
        {"first_name": "Ada", "last_name": "L", "email": "a@example.com", "stores": downtown.pk},
    )

    assert response.status_code == 302
    assert Customer.objects.get().customer_type == "personal"


class TestChangingType:
    @pytest.fixture
    def personal(self, downtown):
        return make_customer(
            first_name="Ada",
            gender="female",
            date_of_birth=datetime.date(1990, 1, 2),
            city="London",
            stores=[downtown],
        )

    def test_says_what_will_be_dropped_before_dropping_it(self, clerk_client, personal):
        data = form_data(clerk_client.get(edit_url(personal)), "customer-form")
        data.update(customer_type="business", company_name="Ada Ltd")

        response = clerk_client.post(edit_url(personal), data)

        assert field_errors(response, "customer_type") == [
            "Changing to Business drops what this customer has in Gender, Date of birth. "
            "Tick the box below and press Update to confirm, or change the type back."
        ]
        personal.refresh_from_db()
        assert (personal.customer_type, personal.gender) == ("personal", "female")

    def test_confirmed_change_drops_only_what_no_longer_applies(self, clerk_client, personal):
        data = form_data(clerk_client.get(edit_url(personal)), "customer-form")
        data.update(customer_type="business", company_name="Ada Ltd")
        refused = clerk_client.post(edit_url(personal), data)
        data = form_data(refused, "customer-form")
        data["confirm_type_change"] = "on"

        response = clerk_client.post(edit_url(personal), data)

        assert response.status_code == 302
        personal.refresh_from_db()
        assert (personal.customer_type, personal.company_name) == ("business", "Ada Ltd")
        assert (personal.gender, personal.date_of_birth) == ("", None)
        assert (personal.first_name, personal.city) == ("Ada", "London")

    def test_change_with_nothing_to_drop_needs_no_confirmation(self, clerk_client):
        customer = make_customer(first_name="Plain")
        data = form_data(clerk_client.get(edit_url(customer)), "customer-form")
        data.update(customer_type="business", company_name="Plain Co")

        assert clerk_client.post(edit_url(customer), data).status_code == 302


def test_the_company_name_is_marked_required_for_a_business(clerk_client, db):
    """Issue 22, point 11: the label had no asterisk, though a business needs one."""
    business = clerk_client.get(f"{NEW_URL}?type=business").content.decode()
    personal = clerk_client.get(f"{NEW_URL}?type=personal").content.decode()

    label = r'<label\s+for="id_company_name"[^>]*>\s*Company name<span class="asteriskField">'
    assert re.search(label, business)
    assert not re.search(label, personal)


def test_a_refused_business_keeps_the_asterisk_and_gets_one_message(
    clerk_client, new_customer_data
):
    new_customer_data.update(customer_type="business", company_name="")

    response = clerk_client.post(NEW_URL, new_customer_data)

    assert field_errors(response, "company_name") == ["A business customer needs a company name."]
    assert re.search(
        r'Company name<span class="asteriskField">\*</span>', response.content.decode()
    )
