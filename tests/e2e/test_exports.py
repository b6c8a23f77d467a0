"""Exports written in the background, in a real browser at desktop and phone widths: a list
too long to stream, the export's page, the download, and the exports list."""

import csv
import io
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_page_scroll, serious_accessibility_violations
from tests.factories import make_customer


@pytest.fixture(autouse=True)
def short_stream_limit(settings):
    """Lists of more than two rows count as long."""
    settings.EXPORT_STREAM_LIMIT = 2


def downloaded_names(download):
    rows = csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8")))
    return sorted(row["first_name"] for row in rows)


def test_a_long_list_is_exported_in_the_background(signed_in, stores, shoot):
    page = signed_in
    for name in ("Ada", "Bob", "Cy"):
        make_customer(first_name=name, stores=stores[:1])

    page.goto(f"{reverse('customers:list')}?store=all")
    page.get_by_role("link", name="Export", exact=True).click()

    expect(page.get_by_role("heading", name="Export customers")).to_be_visible()
    shoot("offer")
    page.get_by_role("button", name="Write the file").click()

    expect(page.locator("#job-status")).to_have_text("Ready")
    assert_no_page_scroll(page)
    assert serious_accessibility_violations(page) == []
    shoot("ready")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download customers-").click()
    assert downloaded_names(download.value) == ["Ada", "Bob", "Cy"]

    page.get_by_role("link", name="Your exports").click()
    expect(page.get_by_role("row").filter(has_text="Customers")).to_contain_text("3 of 3")
    shoot("list")


def test_any_export_may_be_written_in_the_background(signed_in, stores, shoot):
    page = signed_in
    make_customer(first_name="Ada", stores=stores[:1])

    page.goto(f"{reverse('customers:list')}?store=all")
    page.get_by_role("button", name="More ways to export").click()
    page.get_by_role("button", name="Export in the background").click()

    expect(page.locator("#job-status")).to_have_text("Ready")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download customers-").click()
    assert downloaded_names(download.value) == ["Ada"]
