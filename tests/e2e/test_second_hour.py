"""What a store manager hit in the second hour (issue 22), in a real browser at both
widths."""

from django.urls import reverse
from playwright.sync_api import expect

from customers.models import Customer
from tests.e2e.conftest import assert_no_page_scroll
from tests.factories import image_upload, make_customer, make_store


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


def test_a_photo_chosen_survives_a_refused_save(signed_in, shoot, tmp_path):
    """Point 8: any refused save dropped the chosen photo."""
    page = signed_in
    portrait = tmp_path / "portrait.jpg"
    portrait.write_bytes(image_upload("portrait.jpg", size=(320, 240)).read())
    page.goto(reverse("customers:create"))
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Downtown").check()
    page.get_by_label("Photo", exact=True).set_input_files(portrait)
    expect(page.get_by_role("img", name="The new photo, not saved yet")).to_be_visible()

    page.get_by_role("button", name="Save").click()  # no last name

    expect(page.locator("#error-summary")).to_contain_text("Last name")
    kept = page.get_by_role("img", name="The photo chosen, not saved yet")
    expect(kept).to_be_visible()
    assert kept.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    expect(
        page.get_by_text("Photo chosen: portrait.jpg — will be saved with the customer.")
    ).to_be_visible()
    page.locator("#id_photo").scroll_into_view_if_needed()
    shoot("kept")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_role("button", name="Save").click()

    expect(
        page.get_by_role("status").filter(has_text="Customer “Ada Lovelace” was created.")
    ).to_be_visible()
    ada = Customer.objects.get(email="ada@example.com")
    page.goto(reverse("customers:detail", args=[ada.pk]))
    photo = page.get_by_role("img", name="Photo of Ada Lovelace")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.decode().then(() => img.naturalWidth)") == 320
    assert_no_page_scroll(page)
    shoot("saved")


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
