"""The Registers page in a real browser at both widths: a manager creates a register,
copies its key from the one page that shows it, then deactivates it and reactivates it
with a new key."""

from django.urls import reverse
from playwright.sync_api import expect

from registers.models import Register
from tests.e2e.conftest import assert_no_page_scroll, serious_accessibility_violations


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
    expect(page.get_by_text("/api/v1/customers/{id}/")).to_be_visible()
    shoot("docs")
