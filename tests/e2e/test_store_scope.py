"""A cashier of one store, in a real browser at both widths: a customer of another store is
found by their email alone, and added to the cashier's store."""

from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import (
    PASSWORD,
    assert_no_page_scroll,
    serious_accessibility_violations,
    sign_in,
)
from tests.factories import make_customer, make_user


def test_a_cashier_adds_a_customer_of_another_store_found_by_email(page, stores, shoot):
    downtown, riverside = stores
    make_user("cal", password=PASSWORD, groups=["Store staff"], stores=[riverside])
    make_customer(first_name="Rita", last_name="River", stores=[riverside])
    dora = make_customer(
        first_name="Dora", last_name="Downtown", email="dora@example.com",
        city="Hidden Falls", stores=[downtown],
    )  # fmt: skip
    sign_in(page, "cal")
    page.wait_for_url(f"**{reverse('customers:list')}")
    expect(page.get_by_role("row").filter(has_text="Rita River")).to_be_visible()
    expect(page.get_by_text("Dora Downtown")).to_have_count(0)

    page.get_by_role("searchbox", name="Search").fill("dora@example.com")
    with page.expect_navigation():
        page.get_by_role("searchbox", name="Search").press("Enter")

    found = page.get_by_role("region", name="Found in another store")
    expect(found).to_contain_text("Dora Downtown")
    expect(found).to_contain_text("dora@example.com")
    expect(page.get_by_text("Hidden Falls")).to_have_count(0)
    assert serious_accessibility_violations(page) == []
    assert_no_page_scroll(page)
    shoot("found")

    found.get_by_role("button", name="Add to my store").click()

    expect(page.get_by_text("Customer “Dora Downtown” was added to Riverside.")).to_be_visible()
    expect(page.get_by_role("heading", name="Dora Downtown")).to_be_visible()
    expect(page.get_by_text("Hidden Falls", exact=True)).to_be_visible()
    assert set(dora.stores.values_list("code", flat=True)) == {"DT01", "RV02"}
    shoot("added")
