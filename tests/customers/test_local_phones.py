"""A clerk types phone numbers as people say them: national numbers are read in the country
of the stores ticked when they agree, else of the address, else of the store chosen in the
top bar, else PHONE_REGION, else they need a country code; a number that does not read
says which country it was read in, and why."""

import pytest
from django.urls import reverse

from customers.models import Customer
from tests.factories import make_store
from tests.forms import field_errors, form_data

NEW_URL = reverse("customers:create")


@pytest.fixture
def austin(db):
    return make_store("Austin", code="AU01", country="US")


def choose_store(client, store):
    client.post(reverse("stores:choose"), {"store": store.pk if store else ""})


def create(client, store, phone):
    data = form_data(client.get(NEW_URL), "customer-form")
    data.update(first_name="Ada", last_name="Lovelace", email="ada@example.com", phone=phone)
    data["stores"] = [str(store.pk)]
    return client.post(NEW_URL, data)


def test_a_national_number_is_read_in_the_current_stores_country(clerk_client, austin):
    choose_store(clerk_client, austin)

    response = create(clerk_client, austin, "(512) 555-0199")

    assert response.status_code == 302
    assert Customer.objects.get().phone.as_e164 == "+15125550199"


def test_the_hint_shows_an_example_in_the_expected_format(clerk_client, austin):
    choose_store(clerk_client, austin)

    html = clerk_client.get(NEW_URL).content.decode()

    assert (
        "e.g. (201) 555-0123, read as a number of United States of America (the country of the "
        "ticked stores); a number of another country starts with + and its code" in html
    )


def test_without_a_store_country_phone_region_is_used(clerk_client, downtown, settings):
    settings.PHONENUMBER_DEFAULT_REGION = "GB"

    response = create(clerk_client, downtown, "020 7946 0958")

    assert response.status_code == 302
    assert Customer.objects.get().phone.as_e164 == "+442079460958"


def test_without_either_a_country_code_is_needed(clerk_client, downtown, settings):
    settings.PHONENUMBER_DEFAULT_REGION = None

    response = create(clerk_client, downtown, "(512) 555-0199")

    assert field_errors(response, "phone") == [
        "Enter a valid phone number starting with + and the country code, e.g. +1 212-555-2368: "
        "no country is known to read a national number in (tick a store that has one, or "
        "choose the country of the address)."
    ]
    assert "International format, starting with + and the country code" in (
        response.content.decode()
    )


def test_foreign_numbers_still_work_with_their_code(clerk_client, austin):
    choose_store(clerk_client, austin)

    create(clerk_client, austin, "+44 20 7946 0958")

    assert Customer.objects.get().phone.as_e164 == "+442079460958"


def test_the_same_format_is_shown_in_the_form_list_and_page(clerk_client, austin):
    choose_store(clerk_client, austin)
    create(clerk_client, austin, "(512) 555-0199")
    customer = Customer.objects.get()

    edit = form_data(clerk_client.get(reverse("customers:edit", args=[customer.pk])))
    listing = clerk_client.get(reverse("customers:list")).content.decode()
    page = clerk_client.get(customer.get_absolute_url()).content.decode()

    assert edit["phone"] == ["+1 512-555-0199"]
    assert "+1 512-555-0199" in listing and "+1 512-555-0199" in page


class TestTheCountryANationalNumberIsReadIn:
    """The store manager's second hour, point 1: under "All stores", which the top bar
    shows after every sign-in, "(512) 555-0199" was refused even for a US customer with a
    US store ticked."""

    @pytest.fixture
    def london(self, db):
        return make_store("London", code="LN01", country="GB")

    def save(self, client, phone, stores, country=""):
        data = form_data(client.get(NEW_URL), "customer-form")
        data.update(first_name="Ada", last_name="Lovelace", email="ada@example.com",
                    phone=phone, country=country)  # fmt: skip
        data["stores"] = [str(store.pk) for store in stores]
        return client.post(NEW_URL, data)

    def test_the_ticked_stores_country_under_all_stores(self, clerk_client, austin):
        choose_store(clerk_client, None)  # All stores

        response = self.save(clerk_client, "(512) 555-0199", [austin])

        assert response.status_code == 302
        assert Customer.objects.get().phone.as_e164 == "+15125550199"

    def test_the_address_country_when_the_stores_disagree(self, clerk_client, austin, london):
        response = self.save(clerk_client, "020 7946 0958", [austin, london], country="GB")

        assert response.status_code == 302
        assert Customer.objects.get().phone.as_e164 == "+442079460958"

    def test_the_top_bar_store_when_neither_says(self, clerk_client, austin, london):
        choose_store(clerk_client, london)

        response = self.save(clerk_client, "020 7946 0958", [austin, london])

        assert Customer.objects.get().phone.as_e164 == "+442079460958"
        assert response.status_code == 302

    def test_the_message_says_which_country_and_why(self, clerk_client, austin):
        response = self.save(clerk_client, "020 7946 0958", [austin])

        assert field_errors(response, "phone") == [
            "Enter a valid phone number. Without + and a country code it is read as a number "
            "of United States of America (the country of the ticked stores); a number of "
            "another country starts with + and its code, e.g. +44 20 7946 0958."
        ]

    def test_editing_reads_in_the_saved_stores_country(self, clerk_client, austin):
        self.save(clerk_client, "+15125550199", [austin])
        customer = Customer.objects.get()

        html = clerk_client.get(reverse("customers:edit", args=[customer.pk])).content.decode()

        assert "read as a number of United States of America (the country of the ticked" in html
