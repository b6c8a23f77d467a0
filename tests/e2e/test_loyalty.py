"""Loyalty in a real browser, at desktop and phone widths: adjusting points from the
customer's page, generating and printing card codes, and handing a card out."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from customers.models import Customer
from loyalty.models import LoyaltyCardBatch
from tests.e2e.conftest import assert_no_page_scroll, serious_accessibility_violations
from tests.factories import make_customer


def test_adjusting_points_from_the_customer_page(signed_in, stores, shoot):
    page = signed_in
    ada = make_customer(
        first_name="Ada", last_name="Lovelace", stores=stores[:1], loyalty_balance=100
    )
    page.goto(ada.get_absolute_url())
    page.get_by_role("link", name="Adjust points").click()
    page.get_by_label("Change (points)").fill("-150")
    page.get_by_label("Reason").select_option("Redemption")
    page.get_by_role("button", name="Save adjustment").click()

    expect(
        page.get_by_text("The balance is 100 points: at most 100 can be taken off.")
    ).to_be_visible()
    expect(page.get_by_label("Change (points)")).to_have_value("-150")
    shoot("refused")

    page.get_by_label("Change (points)").fill("40")
    page.get_by_label("Reason").select_option("Goodwill")
    page.get_by_label("Note").fill("Parcel arrived late")
    page.get_by_role("button", name="Save adjustment").click()

    expect(
        page.get_by_text("+40 points (Goodwill) for Ada Lovelace: the balance is now 140.")
    ).to_be_visible()
    expect(page.locator("#loyalty-balance")).to_have_text("140")
    history = page.get_by_role("region", name="Loyalty history table")
    expect(history.locator("tbody tr").first).to_contain_text("Parcel arrived late")
    assert_no_page_scroll(page)
    assert serious_accessibility_violations(page) == []
    shoot("customer-page")


def test_generating_printing_and_handing_out_cards(signed_in, stores, shoot):
    page = signed_in
    ada = make_customer(
        first_name="Ada", last_name="Lovelace", stores=stores[:1], loyalty_balance=10
    )
    page.goto(reverse("loyalty:batches"))
    page.get_by_role("link", name="+ Generate codes").click()
    page.get_by_label("Number of codes").fill("12")
    page.get_by_role("button", name="Generate").click()

    expect(page.get_by_text("12 codes generated")).to_be_visible()
    batch = LoyaltyCardBatch.objects.get()
    codes = list(batch.cards.order_by("pk").values_list("code", flat=True))
    expect(page.get_by_role("img", name=f"Barcode of {codes[0]}")).to_be_visible()
    expect(page.locator(".sheet-label")).to_have_count(12)
    assert_no_page_scroll(page)  # the sheet scrolls inside its box on a phone
    shoot("sheet")
    page.get_by_label("Label size").select_option("avery-5371")
    expect(page).to_have_url(re.compile(r"label=avery-5371"))
    expect(page.locator(".sheet-page")).to_have_count(2)  # 10 business cards to a sheet
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename == f"loyalty-cards-batch{batch.pk}-avery-5371.pdf"
    shoot("business-cards")

    page.goto(ada.get_absolute_url())
    page.get_by_label("Give a card: type or scan its code").fill(codes[5].lower())
    page.get_by_role("button", name="Assign card").click()
    expect(
        page.get_by_text(f"Loyalty card {codes[5]} now belongs to Ada Lovelace.")
    ).to_be_visible()
    page.goto(reverse("customers:list") + "?store=all")
    page.get_by_role("searchbox").fill(codes[5])
    page.keyboard.press("Enter")
    expect(page.locator("#result-count")).to_contain_text("1 customer matches")
    expect(page.get_by_role("row").filter(has_text="Ada Lovelace")).to_be_visible()
    shoot("found-by-card")
    page.goto(reverse("loyalty:batches"))
    expect(page.locator("tbody tr").first).to_contain_text("12")
    assert serious_accessibility_violations(page) == []
    assert Customer.objects.get(pk=ada.pk).loyalty_card.code == codes[5]
