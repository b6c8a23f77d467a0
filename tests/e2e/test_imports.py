"""Import Customers in a real browser, at desktop and phone widths: upload, column
mapping, the dry run's result, the import, the Imports list."""

from django.urls import reverse
from playwright.sync_api import expect

from customers.models import Customer
from imports import tasks
from imports.models import CustomerImport
from tests.e2e.conftest import assert_no_page_scroll, serious_accessibility_violations


def test_a_manager_maps_checks_and_imports_a_file(signed_in, stores, shoot, tmp_path):
    page = signed_in
    path = tmp_path / "from-the-old-system.csv"
    path.write_text(
        "Given name;Surname;E-mail;Shop;Notes;Client since\n"
        "Ada;Lovelace;ada@example.com;DT01;Likes tea;2019\n"
        "Grace;Hopper;grace@example.com;DT01;RV02;2020\n"
    )

    page.goto(reverse("customers:list"))
    page.get_by_role("link", name="Import Customers").click()
    page.get_by_label("File").set_input_files(str(path))
    shoot("upload")
    page.get_by_role("button", name="Upload and check").click()

    expect(page.get_by_role("heading", name="Which field does each column fill?")).to_be_visible()
    for column, field in [("Given name", "first_name"), ("Surname", "last_name"),
                          ("E-mail", "email"), ("Shop", "stores"), ("Notes", "notes")]:  # fmt: skip
        expect(page.get_by_label(column)).to_have_value(field)  # recognised by its name
    expect(page.get_by_role("listitem").filter(has_text="Client since")).to_contain_text(
        "2019 · 2020"
    )
    page.get_by_label("Client since").select_option(label="Ignore this column")
    shoot("mapping")
    page.get_by_role("button", name="Check the rows").click()

    expect(page.locator("#job-status")).to_have_text("Ready to import")
    expect(page.locator("#import-counts")).to_contain_text("To create")
    assert_no_page_scroll(page)
    assert serious_accessibility_violations(page) == []
    shoot("checked")
    page.get_by_role("button", name="Import 2 customers").click()

    expect(page.locator("#job-status")).to_have_text("Imported")
    assert sorted(Customer.objects.values_list("email", flat=True)) == [
        "ada@example.com", "grace@example.com",
    ]  # fmt: skip
    page.get_by_role("link", name="Imports").first.click()
    expect(page.get_by_role("row").filter(has_text="from-the-old-system.csv")).to_contain_text(
        "2 created"
    )
    shoot("imports")


def test_errors_are_shown_by_row_with_the_report_to_download(signed_in, stores, shoot, tmp_path):
    page = signed_in
    path = tmp_path / "errors.csv"
    path.write_text(
        "first_name,last_name,email,stores\n,Nameless,n@example.com,DT01\nAda,X,bad,ZZ\n"
    )

    page.goto(reverse("imports:upload"))
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_role("button", name="Upload and check").click()

    expect(page.locator("#job-status")).to_have_text("Has errors")
    errors = page.get_by_role("region", name="Errors table")
    expect(errors).to_contain_text("This field is required.")
    expect(errors).to_contain_text("No store has the code ZZ.")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the rows with errors (CSV)").click()
    assert download.value.suggested_filename.endswith("-errors.csv")
    assert_no_page_scroll(page)
    shoot("errors")


def test_the_import_page_follows_its_jobs_without_a_reload(
    signed_in, stores, shoot, tmp_path, settings
):
    """The jobs wait in the database; the test does the worker's part, and the page keeps up
    by itself."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    page = signed_in
    path = tmp_path / "two.csv"
    path.write_text(
        "first_name,last_name,email,stores\nAda,L,ada@example.com,DT01\nBo,M,bo@example.com,DT01\n"
    )

    page.goto(reverse("imports:upload"))
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator("#job-status")).to_have_text("Checking")
    job = CustomerImport.objects.get()
    CustomerImport.objects.filter(pk=job.pk).update(rows_done=1)  # a worker half way
    expect(page.locator("#rows-done")).to_have_text("1")
    shoot("checking")
    tasks.check_import.call(job.job.pk)

    expect(page.locator("#job-status")).to_have_text("Ready to import")
    page.get_by_role("button", name="Import 2 customers").click()
    expect(page.locator("#job-status")).to_have_text("Waiting for a worker")
    CustomerImport.objects.filter(pk=job.pk).update(status="importing", rows_total=2, rows_done=1)
    expect(page.locator("#job-status")).to_have_text("Importing")
    expect(page.get_by_role("progressbar", name="Rows done")).to_have_attribute(
        "aria-valuenow", "1"
    )
    assert serious_accessibility_violations(page) == []
    shoot("importing")
    # The worker that would have got it half way: it takes the job from the queue.
    CustomerImport.objects.filter(pk=job.pk).update(status="queued", rows_done=0)
    tasks.run_import.call(job.job.pk)

    expect(page.locator("#job-status")).to_have_text("Imported")
    assert Customer.objects.count() == 2
