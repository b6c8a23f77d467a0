"""Issue 22, points 10 and 11, in a real browser at both widths: lists and the house
account page fit the screen, their actions stay in reach, and nothing floats or is cut."""

from decimal import Decimal

from django.urls import reverse
from playwright.sync_api import expect

from house_accounts.services import house_account_charge
from tests.e2e.conftest import assert_no_page_scroll
from tests.factories import make_customer, make_house_account, make_store, make_user

LIST_URL = reverse("customers:list")


def test_the_row_actions_stay_in_view_with_three_extra_columns(signed_in, stores, shoot):
    """At 1366 px, three more columns pushed the Actions menu past the right edge."""
    page = signed_in
    make_customer(
        first_name="Ada", last_name="Lovelace", id_number="ID-20261202-0001",
        address_line1="12 Analytical Engine Way", city="Kingston upon Thames", stores=stores,
    )  # fmt: skip
    page.goto(f"{LIST_URL}?store=all")

    page.get_by_role("button", name="Columns").click()
    chooser = page.locator("#column-chooser")
    for column in ("Customer ID number", "Address line 1", "City"):
        chooser.get_by_label(f"{column} column", exact=True).check()
    chooser.get_by_role("button", name="Show these columns").click()
    expect(page.locator("thead")).to_contain_text("Customer ID number")

    actions = page.get_by_role("button", name="Actions for Ada Lovelace")
    expect(actions).to_be_in_viewport(ratio=1)
    assert_no_page_scroll(page)
    shoot("extra-columns")
    actions.click()
    expect(page.get_by_role("link", name="View customer")).to_be_visible()
    shoot("extra-columns-menu")


def test_a_customers_store_codes_stay_on_one_line(signed_in, stores, shoot):
    """Three store codes stacked one per line made each row three lines tall."""
    page = signed_in
    airport = make_store("Airport", code="AP03")
    make_customer(first_name="Ada", last_name="Lovelace", stores=[*stores, airport])
    make_customer(first_name="Ann", last_name="Onestore", stores=stores[:1])
    page.goto(f"{LIST_URL}?store=all")

    codes = page.get_by_role("row").filter(has_text="Ada Lovelace").locator("abbr.badge")
    if page.viewport_name == "desktop":
        expect(codes).to_have_count(3)
        tops = {round(box["y"]) for box in (code.bounding_box() for code in codes.all())}
        assert len(tops) == 1
        heights = [
            page.get_by_role("row").filter(has_text=name).bounding_box()["height"]
            for name in ("Ada Lovelace", "Ann Onestore")
        ]
        assert abs(heights[0] - heights[1]) < 2
    else:  # a card leaves the stores out unless the column is chosen
        expect(codes.first).to_be_hidden()
    assert_no_page_scroll(page)
    shoot("stores")


def test_the_house_account_entries_are_whole_and_the_heading_has_no_stray_dot(
    signed_in, stores, shoot
):
    page = signed_in
    ada = make_customer(first_name="Ada", last_name="Lovelace", stores=stores[:1])
    account = make_house_account(ada, account_number="HA-2026")
    clerk = make_user("bartholomew", first_name="Bartholomew", last_name="Featherstonehaugh")
    for number in range(3):
        house_account_charge(
            account=account, amount=Decimal("12.50"), store=stores[0],
            reference=f"RECEIPT-2026-12-{number:04d}", note="", actor=clerk,
        )  # fmt: skip

    page.goto(account.get_absolute_url())

    subtitle = page.locator("h1 + span")
    expect(subtitle).to_have_text("Ada Lovelace")
    entries = page.get_by_role("region", name="Entries table")
    expect(entries).to_contain_text("RECEIPT-2026-12-0002")
    cut = entries.evaluate("box => box.scrollWidth - box.clientWidth")
    assert cut <= 0
    if page.viewport_name == "desktop":
        entries.scroll_into_view_if_needed()  # below the form, so scrolled to
        expect(entries.get_by_role("columnheader", name="Who")).to_be_in_viewport(ratio=1)
        expect(
            entries.get_by_role("cell", name="Bartholomew Featherstonehaugh").first
        ).to_be_in_viewport()
    assert_no_page_scroll(page)
    shoot("house-account")

    page.get_by_role("button", name="View statement").click()
    expect(page.locator("#statement-chain")).to_have_text("Retail Back Office")
    expect(page.locator("#statement-store")).to_have_text("Downtown")
    assert_no_page_scroll(page)
    shoot("statement")


def test_no_table_header_floats_above_the_phone_cards(signed_in, stores, shoot):
    """On a phone, "Name Email Balance" sat above the cards like a stray header: the column
    headers are left to screen readers, and the bar that stays says what its links do."""
    page = signed_in
    make_customer(first_name="Ada", last_name="Lovelace", stores=stores[:1], loyalty_balance=7)
    page.goto(f"{LIST_URL}?store=all")

    headers = page.locator("thead th:not(.select-cell):not(.sortable):not(.d-none)")
    expect(page.get_by_role("columnheader", name="Phone")).to_have_count(1)  # still read out
    sort_bar = page.evaluate(
        "getComputedStyle(document.querySelector('thead tr'), '::before').content"
    )
    if page.viewport_name == "phone":
        for header in headers.all():
            box = header.bounding_box()
            assert box["width"] <= 1 and box["height"] <= 1
        assert sort_bar.startswith('"Sort by"')
        bar, card = (
            page.locator("thead tr").bounding_box(),
            page.get_by_role("row").filter(has_text="Ada Lovelace").bounding_box(),
        )
        assert bar["y"] + bar["height"] <= card["y"] + 1  # above the cards, not over them
    else:
        expect(headers.first).to_be_visible()
        assert sort_bar == "none"
    page.get_by_role("link", name="Name").click()
    expect(page.get_by_role("link", name="Name ▲")).to_be_visible()
    assert_no_page_scroll(page)
    shoot("list")


def test_the_store_filter_shows_the_top_bar_choice_whole(signed_in, stores, shoot):
    """ "Downtown (top bar" was cut off in the Store filter of a phone."""
    page = signed_in
    if page.viewport_name == "phone":
        page.get_by_role("button", name="Toggle navigation").click()
    with page.expect_navigation():
        page.get_by_label("Current store").select_option(label="Downtown")
    page.goto(LIST_URL)

    store_filter = page.locator("#list-tools").get_by_label("Store")
    expect(store_filter.locator("option:checked")).to_have_text("Current store")
    expect(page.locator("h1")).to_contain_text("at Downtown")
    room, needed = store_filter.evaluate(
        """select => {
            const style = getComputedStyle(select);
            const context = document.createElement("canvas").getContext("2d");
            context.font = style.font;
            return [
                select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
                context.measureText(select.selectedOptions[0].text).width,
            ];
        }"""
    )
    assert needed <= room
    shoot("store-filter")
