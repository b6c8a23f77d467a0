"""Consent and erasure in a real browser at both widths: a clerk records that a customer
agreed to marketing email; a privacy officer erases a customer after typing their name."""

from django.contrib.auth.models import Permission
from django.urls import reverse
from playwright.sync_api import expect

from customers.models import ConsentEvent, Customer
from tests.e2e.conftest import (
    PASSWORD,
    assert_no_page_scroll,
    serious_accessibility_violations,
    sign_in,
)
from tests.factories import make_customer, make_user


def test_the_customer_form_records_marketing_consent(signed_in, stores, shoot):
    page = signed_in
    ada = make_customer(first_name="Ada", last_name="Lovelace", stores=stores[:1])
    page.goto(reverse("customers:edit", args=[ada.pk]))

    page.get_by_label("Marketing by e-mail").select_option("Subscribed")
    assert serious_accessibility_violations(page) == []
    shoot("form")
    page.get_by_role("button", name="Update").click()

    expect(page.get_by_text("Customer “Ada Lovelace” was updated.")).to_be_visible()
    page.goto(ada.get_absolute_url())
    consent = page.get_by_role("region", name="Marketing consent")
    expect(consent).to_contain_text("Subscribed")
    expect(consent).to_contain_text("Single opt-in, customer form")
    expect(page.locator("#consent-history")).to_contain_text("Email subscribed")
    assert [(e.channel, e.state) for e in ConsentEvent.objects.all()] == [("email", "subscribed")]
    assert_no_page_scroll(page)
    shoot("page")


def test_erasing_asks_for_the_name_then_keeps_only_the_numbers(page, stores, shoot):
    officer = make_user("petra", password=PASSWORD, groups=["Managers"], stores=stores[:1])
    officer.user_permissions.add(Permission.objects.get(codename="erase_customer"))
    zed = make_customer(
        first_name="Zebedee", last_name="Quixote", city="Quillville", stores=stores[:1],
        loyalty_balance=40,
    )  # fmt: skip
    sign_in(page, "petra")
    page.wait_for_url(f"**{reverse('customers:list')}")
    page.goto(zed.get_absolute_url())

    page.get_by_role("button", name="Privacy").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Erase…").click()
    expect(page.get_by_role("heading", name="Erase Zebedee Quixote?")).to_be_visible()
    page.get_by_label("Type the customer's name to confirm").fill("Zebedee")
    with page.expect_navigation():
        page.get_by_role("button", name="Erase for good").click()
    expect(page.get_by_text("Type the name exactly as shown")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    assert_no_page_scroll(page)
    shoot("confirm")

    page.get_by_label("Type the customer's name to confirm").fill("Zebedee Quixote")
    page.get_by_role("button", name="Erase for good").click()

    expect(page.get_by_role("heading", name=f"Erased customer #{zed.pk}")).to_be_visible()
    expect(page.get_by_text("Quillville")).to_have_count(0)
    expect(page.locator("#loyalty-balance")).to_have_text("40")
    assert Customer.objects.get(pk=zed.pk).erased_at is not None
    shoot("erased")
