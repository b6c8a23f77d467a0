"""The Registers page in a real browser at both widths: a manager creates a register,
copies its key from the one page that shows it, then deactivates it and reactivates it
with a new key."""

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from registers.models import Register
from registers.services import register_create
from sales.services import record_sale
from tests.e2e.conftest import assert_no_page_scroll, serious_accessibility_violations
from tests.factories import OPS, make_customer


def test_a_manager_creates_deactivates_and_reactivates_a_register(signed_in, shoot):
    page = signed_in
    page.goto(reverse("registers:list"))
    expect(page.get_by_role("heading", name="Registers")).to_be_visible()
    page.get_by_role("link", name="+ New Register").click()
    page.get_by_label("Name").fill("Front desk")
    page.locator("#object-form").get_by_label("Store").select_option(label="Downtown")
    page.get_by_role("button", name="Create").first.click()

    key_field = page.get_by_label("API key of Register Front desk (DT01)")
    expect(key_field).to_be_visible()
    key = key_field.input_value()
    assert Register.objects.holding(key).name == "Front desk"
    assert serious_accessibility_violations(page) == []
    assert_no_page_scroll(page)
    shoot("key")

    page.get_by_role("link", name="Done").click()
    page.get_by_role("link", name="Deactivate…").click()
    expect(
        page.get_by_role("heading", name="Deactivate Register Front desk (DT01)?")
    ).to_be_visible()
    assert serious_accessibility_violations(page) == []
    shoot("deactivate")
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_text("is deactivated: its key is refused")).to_be_visible()
    assert Register.objects.holding(key) is None
    page.get_by_role("button", name="Reactivate with a new key").click()
    new_key = page.get_by_label("API key of Register Front desk (DT01)").input_value()
    assert new_key != key and Register.objects.holding(new_key) is not None

    page.goto(reverse("registers:list"))
    row = page.get_by_role("row").filter(has_text="Front desk")
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text(f"{new_key[:8]}…")
    assert serious_accessibility_violations(page) == []
    assert_no_page_scroll(page)
    shoot("list")


def test_a_manager_reads_the_api_docs_offline(signed_in, shoot):
    page = signed_in
    page.goto(reverse("api_docs"))

    expect(
        page.get_by_role("heading", name="Retail Back Office: the registers' API")
    ).to_be_visible()
    for operation in ("GET /api/v1/customers/{id}/", "POST /api/v1/sales/"):
        expect(page.get_by_role("button", name=operation, exact=True)).to_be_visible()
    shoot("docs")


def test_a_customers_sales_on_their_page_and_in_full(signed_in, stores, shoot):
    page = signed_in
    register, _ = register_create(name="Front desk", store=stores[0], actor=OPS)
    ada = make_customer(
        first_name="Ada", last_name="Lovelace", stores=stores[:1], loyalty_balance=50
    )
    for number in range(1, 4):
        sale = {
            "id": f"R{number}", "customer": ada, "total": Decimal("19.99"),
            "occurred_at": timezone.now(), "points_redeemed": 10 if number == 2 else 0,
        }  # fmt: skip
        record_sale(register=register, sale=sale, fingerprint=str(number))

    page.goto(ada.get_absolute_url())
    card = page.get_by_role("region", name="Sales")
    expect(card).to_contain_text("3 visits")
    expect(card.get_by_role("row")).to_have_count(4)
    assert serious_accessibility_violations(page) == []
    assert_no_page_scroll(page)
    shoot("customer")
    card.get_by_role("link", name="All sales").click()

    expect(page.get_by_role("heading", name="Sales of Ada Lovelace")).to_be_visible()
    expect(page.get_by_text("-10 redeemed")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    assert_no_page_scroll(page)
    shoot("all-sales")
