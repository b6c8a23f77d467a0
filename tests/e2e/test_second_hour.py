"""What a store manager hit in the second hour (issue 22), in a real browser at both
widths."""

from django.urls import reverse
from playwright.sync_api import expect

from customers.models import Customer
from tests.e2e.conftest import assert_no_page_scroll
from tests.factories import make_customer, make_store


def test_a_national_number_under_all_stores_is_read_in_the_ticked_stores_country(signed_in, shoot):
    page = signed_in
    austin = make_store("Austin", code="AU01", country="US")
    ada = make_customer(first_name="Ada", last_name="Lovelace", stores=[austin])
    page.goto(reverse("customers:edit", args=[ada.pk]))  # the top bar: All stores

    phone = page.get_by_label("Phone")
    phone.fill("(512) 555-0199 ext")
    page.get_by_role("button", name="Update").first.click()
    expect(page.get_by_text("read as a number of United States of America").first).to_be_visible()
    shoot("refused")
    page.get_by_label("Phone").fill("(512) 555-0199")
    page.get_by_role("button", name="Update").first.click()

    page.wait_for_url(f"**{reverse('customers:list')}*")
    assert Customer.objects.get(pk=ada.pk).phone.as_e164 == "+15125550199"
    assert_no_page_scroll(page)


def test_an_error_on_the_customer_picker_is_shown_beside_it(signed_in, shoot):
    """Point 7: the field turned red, its message stayed hidden."""
    page = signed_in
    page.goto(reverse("house_accounts:create"))

    page.get_by_label("Account number").fill("HA0001")
    page.get_by_role("button", name="Create").first.click()

    error = page.locator(".customer-picker ~ .invalid-feedback")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Type a name, email, phone or card code and choose the customer.")
    shoot("picker-error")


def test_picking_a_store_in_the_top_bar_asks_before_leaving_a_changed_form(signed_in, shoot):
    """Point 2: a store picked in the top bar threw a half-filled form away without a word."""
    page = signed_in
    page.goto(reverse("customers:create"))
    page.get_by_label("First name").fill("Ada")
    if page.viewport_name == "phone":
        page.get_by_role("button", name="Toggle navigation").click()

    with page.expect_event("dialog") as asked:
        page.get_by_label("Current store").select_option(label="Riverside")
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()  # stay on the page

    expect(page.get_by_label("First name")).to_have_value("Ada")
    assert page.url.endswith(reverse("customers:create"))
    shoot("kept")


def test_the_company_name_is_marked_required_when_business_is_chosen(signed_in, shoot):
    """Point 11: the company name had no asterisk, though a business needs one."""
    page = signed_in
    page.goto(reverse("customers:create"))

    page.get_by_label("Business").check()

    label = page.locator("label[for=id_company_name]")
    expect(label).to_be_visible()
    expect(label.locator(".asteriskField")).to_have_text("*")
    shoot("business")
    page.get_by_label("Personal").check()
    expect(label.locator(".asteriskField")).to_have_count(0)
