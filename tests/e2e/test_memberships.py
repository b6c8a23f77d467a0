"""Memberships in a real browser, at desktop and phone widths: a manager sets up a type, a
plan and an account with two members, spends the allowance, is refused, and sees the
renewal reset it."""

import datetime

from django.urls import reverse
from playwright.sync_api import expect

from memberships.models import MembershipAccount
from memberships.services import renew_memberships
from tests.e2e.conftest import assert_no_page_scroll, serious_accessibility_violations
from tests.factories import make_customer


def pick_customer(page, label, typed, name):
    """Type in a customer picker and choose ``name`` from the matches."""
    page.wait_for_load_state()  # the picker's script runs once the page has loaded
    page.get_by_role("combobox", name=label).fill(typed)
    page.get_by_role("option", name=name).click()


def test_a_manager_sets_up_a_membership_spends_it_and_sees_it_renewed(signed_in, stores, shoot):
    page = signed_in
    make_customer(
        first_name="Ada", last_name="Lovelace", email="ada@example.com", stores=stores[:1]
    )
    make_customer(first_name="Grace", last_name="Hopper", stores=stores[:1])
    make_customer(first_name="Alan", last_name="Turing", stores=stores[1:])

    page.goto(reverse("memberships:types"))
    page.get_by_role("link", name="+ Membership Type").click()
    page.get_by_label("Type").fill("Family")
    page.get_by_label("Price level").select_option("Level 2")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text("Membership type “Family” was created.")).to_be_visible()

    page.get_by_role("link", name="Plan", exact=True).click()
    page.get_by_role("link", name="+ Membership Plan").click()
    page.get_by_label("Name").fill("Family monthly")
    page.get_by_label("Type").select_option("Family")
    page.locator("#id_allowance").fill("50.00")
    page.get_by_label("Allowance period").select_option("Monthly")
    page.get_by_label("Auto renewal").check()
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("cell", name="USD 50.00")).to_be_visible()
    shoot("plans")

    page.get_by_role("link", name="Account", exact=True).click()
    page.get_by_role("link", name="+ Membership Account").click()
    pick_customer(page, "Customer", "lovel", "Ada Lovelace")
    page.get_by_label("Membership plan").select_option("Family monthly")
    page.get_by_label("Card number").fill("FAM100")
    shoot("new-account")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#membership-balance")).to_have_text("USD 50.00")

    for typed, name in [("grace", "Grace Hopper"), ("turing", "Alan Turing")]:
        pick_customer(page, "Add a member", typed, name)
        page.get_by_role("button", name="Add member").click()
        expect(page.get_by_text(f"{name} is now a member")).to_be_visible()

    for amount in ("30.00", "20.00", "0.01"):
        page.get_by_label("Amount").fill(amount)
        page.locator("#id_store").select_option("Downtown")
        page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("more than the allowance left, USD 0.00")).to_be_visible()
    expect(page.get_by_label("Amount")).to_have_value("0.01")
    shoot("refused")

    account = MembershipAccount.objects.get(card_number="FAM100")
    renew_memberships(today=account.expiry_date + datetime.timedelta(days=1))
    page.goto(account.get_absolute_url())
    expect(page.locator("#membership-balance")).to_have_text("USD 50.00")
    entries = page.get_by_role("region", name="Entries table")
    expect(entries.locator("tbody tr").first).to_contain_text("Renewal")
    expect(page.get_by_role("link", name="Grace Hopper")).to_be_visible()
    assert_no_page_scroll(page)
    assert serious_accessibility_violations(page) == []
    shoot("renewed")
