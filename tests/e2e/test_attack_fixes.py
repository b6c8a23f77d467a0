"""What the attacker's second visit broke (issue 21), as a person sees it now, in a real
browser at both widths: a purge refused while money is owed, and a workbook built to
exhaust the server refused on its import's page."""

from django.urls import reverse
from playwright.sync_api import expect

from customers.models import Customer
from customers.services import customers_delete
from house_accounts.models import HouseAccountEntry
from tests.e2e.conftest import PASSWORD, assert_no_page_scroll, sign_in
from tests.factories import make_customer, make_house_account, make_user
from tests.imports.workbooks import write_xlsx


def test_a_purge_is_refused_while_a_house_account_is_owed_money(page, stores, shoot):
    root = make_user("root", password=PASSWORD, is_superuser=True, is_staff=True)
    olivia = make_customer(first_name="Olivia", last_name="Haddad", stores=stores[:1])
    make_house_account(olivia, opening_balance="40.00", account_number="HA0040")
    zoe = make_customer(first_name="Zoe", last_name="Zero", stores=stores[:1])
    customers_delete(customers=[olivia, zoe], actor=root)
    sign_in(page, "root")
    page.goto(reverse("customers:deleted"))

    page.get_by_label("Select Olivia Haddad").check()
    page.get_by_label("Select Zoe Zero").check()
    page.get_by_role("button", name="Purge selected for good").click()

    expect(page.get_by_role("heading", name="Purge 2 customers?")).to_be_visible()
    expect(
        page.get_by_text("Not purged: Has House account HA0040 with a balance of")
    ).to_be_visible()
    assert_no_page_scroll(page)
    shoot("refused")
    page.get_by_role("button", name="Purge 1 customer").click()

    expect(page.get_by_text("1 customer purged for good.")).to_be_visible()
    assert list(Customer.all_objects.values_list("first_name", flat=True)) == ["Olivia"]
    assert HouseAccountEntry.objects.count() == 1


def test_a_workbook_with_a_cell_at_xfd1048576_is_refused_on_its_page(
    signed_in, stores, shoot, tmp_path
):
    page = signed_in
    path = write_xlsx(
        tmp_path / "customers.xlsx",
        [["first_name", "last_name", "email", "stores"], ["Ada", "L", "ada@example.com", "DT01"]],
        stray=("XFD1048576", "x"),
    )
    page.goto(reverse("imports:upload"))

    page.get_by_label("File").set_input_files(str(path))
    page.get_by_role("button", name="Upload and check").click()

    expect(page.locator("#job-status")).to_have_text("Stopped")
    expect(page.get_by_role("alert")).to_contain_text("has a value in column XFD")
    assert_no_page_scroll(page)
    shoot("refused")
