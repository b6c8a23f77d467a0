"""The shared list pieces in a real browser: columns to view, and the audit trail."""

from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_page_scroll
from tests.factories import make_customer

LIST_URL = reverse("customers:list")


def test_choose_the_columns_to_view_then_reset(signed_in, stores, shoot):
    page = signed_in
    make_customer(first_name="Ada", last_name="Lovelace", city="London", stores=stores[:1])
    page.goto(LIST_URL)

    page.get_by_role("button", name="Columns").click()
    chooser = page.locator("#column-chooser")
    expect(chooser.get_by_label("Name column", exact=True)).to_be_disabled()
    chooser.get_by_label("Phone column").uncheck()
    chooser.get_by_label("City column").check()
    for _ in range(3):  # City up above Created, Balance and Loyalty
        chooser.get_by_role("button", name="Move City up").click()
    shoot("chooser")
    chooser.get_by_role("button", name="Show these columns").click()

    expect(page.get_by_role("row").filter(has_text="Ada Lovelace")).to_contain_text("London")
    order = column_headers(page)
    assert "Phone" not in order
    assert order.index("City") + 1 == order.index("Loyalty")
    assert_no_page_scroll(page)
    shoot("chosen")

    page.reload()  # remembered, not only shown once
    assert "City" in column_headers(page)

    page.get_by_role("button", name="Columns").click()
    page.locator("#column-chooser").get_by_role("button", name="Reset to default").click()
    expect(page.get_by_text("The table shows its default columns again.")).to_be_visible()
    assert "City" not in column_headers(page)
    assert "Phone" in column_headers(page)


def column_headers(page):
    """The table's column headers, also those a phone leaves out of its cards."""
    return [text.strip() for text in page.locator("thead th").all_text_contents()]


def test_customer_history_and_audit_page(signed_in, stores, shoot):
    page = signed_in
    make_customer(first_name="Grace", last_name="Hopper", city="Arlington", stores=stores[:1])
    page.goto(LIST_URL)
    # Each click's page is loaded before the next step: a save clicked while the edit page
    # was still loading was lost on a busy machine.
    with page.expect_navigation():
        page.get_by_role("row").filter(has_text="Grace Hopper").get_by_role("link").first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("City")).to_have_value("Arlington")
    page.get_by_label("City").fill("New York")
    page.get_by_role("button", name="Update").click()
    expect(page.get_by_text("Customer “Grace Hopper” was updated.")).to_be_visible()

    page.get_by_role("row").filter(has_text="Grace Hopper").get_by_role("link").first.click()
    history = page.get_by_role("region", name="History")
    edit_event = history.get_by_role("row").filter(has_text="Arlington → New York")
    expect(edit_event).to_contain_text("Mona Manager")
    shoot("customer-history")

    page.goto(reverse("audit"))
    page.get_by_label("Action", exact=True).select_option("update")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#result-count")).to_contain_text("1 audit event matches")
    expect(page.get_by_role("row").filter(has_text="Updated")).to_contain_text("Grace Hopper")
    assert_no_page_scroll(page)
    shoot("audit")
