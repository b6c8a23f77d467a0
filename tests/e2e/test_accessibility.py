"""Accessibility: axe-core finds nothing serious, every input is labelled, and the whole
create form works from the keyboard alone."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from customers.models import Customer
from tests.e2e.conftest import serious_accessibility_violations
from tests.factories import make_customer

LABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
    .filter(el => el.type !== 'hidden')
    .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                  && !el.getAttribute('aria-labelledby'))
    .map(el => el.name || el.id)"""


@pytest.fixture
def customer(stores):
    return make_customer(
        first_name="Ada",
        last_name="Lovelace",
        stores=stores,
        loyalty_balance=120,
        notes="Prefers email.",
    )


@pytest.mark.parametrize(
    "url_name",
    [
        "customers:list",
        "customers:create",
        "customers:detail",
        "customers:edit",
        "customers:deleted",
        "audit",
    ],
)
def test_pages_have_no_serious_accessibility_violation(signed_in, customer, url_name, shoot):
    args = [customer.pk] if url_name in ("customers:detail", "customers:edit") else []
    signed_in.goto(reverse(url_name, args=args))

    assert serious_accessibility_violations(signed_in) == []
    assert signed_in.evaluate(LABELLED) == []


def test_sign_in_page_is_accessible(page, transactional_db):
    page.goto(reverse("login"))

    assert serious_accessibility_violations(page) == []
    assert page.evaluate(LABELLED) == []


def test_form_with_errors_stays_accessible(signed_in):
    signed_in.goto(reverse("customers:create"))
    signed_in.get_by_role("button", name="Save").click()
    expect(signed_in.locator("#error-summary")).to_be_visible()

    assert serious_accessibility_violations(signed_in) == []


def tab_to(page, element_id, limit=80):
    """Press Tab until the element has the focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} cannot be reached with Tab")


def test_create_form_can_be_filled_and_sent_with_the_keyboard_alone(signed_in, stores, shoot):
    page = signed_in
    page.goto(reverse("customers:create"))
    page.locator("body").focus()

    for element_id, text in [
        ("id_first_name", "Kim"),
        ("id_last_name", "Keyboard"),
        ("id_email", "kim@example.com"),
        ("id_phone", "+12025550143"),
        ("id_city", "Austin"),
    ]:
        tab_to(page, element_id)
        page.keyboard.type(text)
    tab_to(page, "id_stores_0")
    page.keyboard.press("Space")
    tab_to(page, "id_loyalty_enrolled")
    page.keyboard.press("Space")
    tab_to(page, "id_loyalty_balance")
    page.keyboard.type("25")
    tab_to(page, "id_loyalty_reason")
    page.keyboard.type("Goodwill")
    tab_to(page, "id_loyalty_note")
    page.keyboard.type("Welcome")
    shoot("keyboard")
    page.keyboard.press("Enter")

    expect(page.get_by_text("Customer “Kim Keyboard” was created.")).to_be_visible()
    kim = Customer.objects.get(email="kim@example.com")
    assert (kim.city, kim.loyalty_account.balance) == ("Austin", 25)
    assert kim.stores.count() == 1
