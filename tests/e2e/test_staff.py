"""The Staff page in a real browser at both widths: a manager gives a clerk the store
they work at."""

from django.urls import reverse
from playwright.sync_api import expect

from stores.services import stores_held_by
from tests.e2e.conftest import assert_no_page_scroll, serious_accessibility_violations
from tests.factories import make_user


def test_a_manager_sets_the_stores_a_clerk_holds(signed_in, stores, shoot):
    page = signed_in
    clerk = make_user("carla", groups=["Store staff"], first_name="Carla", last_name="Clerk")
    page.goto(reverse("staff:list"))
    expect(page.get_by_role("heading", name="Staff")).to_be_visible()

    page.get_by_role("link", name="carla").click()
    page.get_by_label("Riverside").check()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Carla Clerk holds RV02.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="carla")
    expect(row).to_contain_text("Store staff")
    expect(row).to_contain_text("RV02")
    assert [store.code for store in stores_held_by(clerk)] == ["RV02"]
    assert serious_accessibility_violations(page) == []
    assert_no_page_scroll(page)
    shoot("list")
