"""House accounts in a real browser, at desktop and phone widths: open one with a weekly
limit and a max amount, be refused by each, record a payment, print a statement."""

from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_page_scroll, serious_accessibility_violations
from tests.e2e.test_memberships import pick_customer
from tests.factories import make_customer


def test_a_manager_opens_a_house_account_charges_pays_and_prints_a_statement(
    signed_in, stores, shoot
):
    page = signed_in
    make_customer(first_name="Ada", last_name="Lovelace", stores=stores[:1])

    page.goto(reverse("house_accounts:list"))
    page.get_by_role("link", name="+ New House Account").click()
    pick_customer(page, "Customer", "lovel", "Ada Lovelace")
    page.get_by_label("Account number").fill("HA-2026")
    page.get_by_label("Enable period limit").check()
    page.get_by_label("Limit period").select_option("Weekly")
    page.get_by_label("Limit amount").fill("100.00")
    page.get_by_label("Week starts on").select_option("Monday")
    page.get_by_label("Enable max limit").check()
    page.get_by_label("Max amount").fill("60.00")
    shoot("new")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#house-balance")).to_have_text("USD 0.00")

    def record(kind, amount):
        page.get_by_label(kind, exact=True).check()
        page.get_by_label("Amount").fill(amount)
        page.locator("#id_store").select_option("Downtown")
        page.get_by_role("button", name="Record").click()

    record("Charge", "60.01")
    expect(page.get_by_text("A charge on this account can be at most USD 60.00.")).to_be_visible()
    record("Charge", "60.00")
    record("Charge", "40.01")
    expect(page.get_by_text("USD 40.00 is left for the period")).to_be_visible()
    shoot("refused")
    record("Payment", "25.00")
    expect(
        page.get_by_text("Payment of USD 25.00 recorded: the balance is USD 35.00.")
    ).to_be_visible()

    page.get_by_role("button", name="View statement").click()
    expect(page.locator("#opening-balance")).to_have_text("USD 0.00")
    expect(page.locator("#closing-balance")).to_have_text("USD 35.00")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    assert_no_page_scroll(page)
    assert serious_accessibility_violations(page) == []
    shoot("statement")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert download.value.suggested_filename.startswith("statement-HA-2026-")
    page.emulate_media(media="print")
    shoot("statement-printed")
