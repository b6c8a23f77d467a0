"""The top bar's store sticks across sign-ins, and a default store is set on My settings, in
a real browser at desktop and phone widths (issue 22, point 3)."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import serious_accessibility_violations, sign_in

LIST_URL = reverse("customers:list")


def open_menu(page):
    if page.viewport_name == "phone":
        page.get_by_role("button", name="Toggle navigation").click()
        expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))


def pick_store(page, name):
    open_menu(page)
    with page.expect_navigation():
        page.get_by_label("Current store").select_option(label=name)


def sign_out_and_in(page):
    open_menu(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Retail Back Office")).to_be_visible()
    sign_in(page)
    page.wait_for_url(f"**{LIST_URL}")


def top_bar_store(page):
    return page.get_by_label("Current store").locator("option:checked")


def test_the_store_chosen_last_is_back_after_signing_in_again(signed_in, shoot):
    page = signed_in
    pick_store(page, "Riverside")

    sign_out_and_in(page)

    expect(top_bar_store(page)).to_have_text("Riverside")
    shoot("signed-in-again")


def test_a_default_store_set_on_my_settings_wins_at_sign_in(signed_in, shoot):
    page = signed_in
    open_menu(page)
    page.get_by_role("link", name="Mona Manager").click()
    expect(page.get_by_role("heading", name="My settings")).to_be_visible()
    page.get_by_label("Default store").select_option(label="Downtown")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your default store is Downtown")
    assert serious_accessibility_violations(page) == []
    shoot("saved")
    page.goto(LIST_URL)
    pick_store(page, "Riverside")

    sign_out_and_in(page)

    expect(top_bar_store(page)).to_have_text("Downtown")
