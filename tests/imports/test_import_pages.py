"""Import Customers in the browser's pages: upload, column mapping, the dry run's result,
the import as a background job, the Imports list."""

import csv
import datetime
import io
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from customers.tables import CustomerTable
from imports.models import CustomerImport
from tests.factories import make_store, remove_every_customer
from tests.forms import field_errors
from tests.imports.workbooks import write_xlsx

pytestmark = pytest.mark.django_db

UPLOAD = reverse("imports:upload")


def upload(client, content, name="customers.csv", **options):
    data = {"match": "email", "encoding": "utf-8", "date_format": "%Y-%m-%d", **options}
    data["upload"] = SimpleUploadedFile(
        name, content.encode() if isinstance(content, str) else content
    )
    return client.post(UPLOAD, data)


def test_a_manager_uploads_checks_and_imports_a_file(manager_client, downtown, run_jobs):
    content = "first_name,last_name,email,stores,loyalty_enrolled,loyalty_balance\n" + "".join(
        f"Ada{n},Lovelace,ada{n}@example.com,DT01,true,{n}\n" for n in range(3)
    )

    response = run_jobs(lambda: upload(manager_client, content))
    job = CustomerImport.objects.get()

    assert response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert (job.status, job.to_create, job.error_count) == ("checked", 3, 0)
    assert not Customer.objects.exists()  # the dry run writes nothing
    page = manager_client.get(job.get_absolute_url()).content.decode()
    assert "First rows to create" in page and "Row 2: Ada0 Lovelace" in page

    committed = run_jobs(
        lambda: manager_client.post(reverse("imports:commit", args=[job.pk]), follow=True)
    )

    assert "The import is queued: it starts as soon as a worker is free" in (
        committed.content.decode()
    )  # not "processing now" beside "Waiting for a worker"
    job.refresh_from_db()
    assert (job.status, job.created, job.write_parts.get().written_through) == ("done", 3, 4)
    assert sorted(Customer.objects.values_list("loyalty_points", flat=True)) == [0, 1, 2]
    page = manager_client.get(reverse("imports:list")).content.decode()
    assert "customers.csv" in page and "3 created, 0 updated" in page


def test_a_big_imports_counts_read_with_thousands_separators(manager_client, manager):
    big = CustomerImport.objects.create(
        name="chain.csv", created_by=manager, status=CustomerImport.Status.DONE,
        rows_total=1_250_000, rows_done=1_200_000, to_create=1_150_000, to_update=50_000,
        to_skip=48_000, error_count=2_000, created=1_150_000, updated=50_000,
    )  # fmt: skip

    page = manager_client.get(big.get_absolute_url()).content.decode()
    listed = manager_client.get(reverse("imports:list")).content.decode()

    for shown in ("1,150,000", "50,000", "48,000", "2,000"):
        assert shown in page
    assert "1,150,000 created, 50,000 updated" in listed
    CustomerImport.objects.filter(pk=big.pk).update(status=CustomerImport.Status.IMPORTING)
    running = manager_client.get(big.get_absolute_url()).content.decode()
    assert '1,200,000</span><span id="rows-total"> of 1,250,000</span>' in running


def test_an_imported_file_is_removed_once_written(manager_client, downtown, run_jobs, media_root):
    run_jobs(
        lambda: upload(manager_client, "first_name,last_name,email,stores\nA,B,a@b.org,DT01\n")
    )
    job = CustomerImport.objects.get()
    assert len(list(media_root.glob("imports/*/*/*"))) == 2  # the upload and the checked rows

    run_jobs(lambda: manager_client.post(reverse("imports:commit", args=[job.pk])))

    job.refresh_from_db()
    assert (job.status, job.created, job.file.name) == ("done", 1, "")
    assert not list(media_root.glob("imports/*/*/*"))


def test_a_file_left_a_day_is_removed_and_the_page_says_so(
    manager_client, downtown, run_jobs, media_root
):
    run_jobs(lambda: upload(manager_client, "first_name,last_name,email,stores\nA,B,bad,DT01\n"))
    job = CustomerImport.objects.get()
    CustomerImport.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    out = StringIO()

    call_command("remove_expired_files", stdout=out)

    assert "imports: removed 1 file.\n" in out.getvalue()
    assert not list(media_root.glob("imports/*/*/*"))
    page = manager_client.get(job.get_absolute_url()).content.decode()
    assert "file was removed a day after it was uploaded" in page
    assert "Enter a valid email address." in page  # the findings stay
    report = manager_client.get(reverse("imports:errors", args=[job.pk]), follow=True)
    assert "upload it again" in report.content.decode()


def test_errors_are_listed_by_row_and_downloadable_and_nothing_can_be_imported(
    manager_client, downtown, run_jobs
):
    content = (
        "first_name,last_name,email,stores\n"
        "Ada,Lovelace,not-an-email,DT01\n=1+1,X,x@example.com,ZZ\n"
    )

    run_jobs(lambda: upload(manager_client, content))
    job = CustomerImport.objects.get()
    page = manager_client.get(job.get_absolute_url()).content.decode()
    report = manager_client.get(reverse("imports:errors", args=[job.pk])).getvalue().decode()
    refused = manager_client.post(reverse("imports:commit", args=[job.pk]), follow=True)

    assert CustomerImport.objects.get().status == "refused"
    assert "Enter a valid email address." in page and "No store has the code ZZ." in page
    rows = list(csv.reader(io.StringIO(report)))
    assert rows[0][-1] == "errors"
    assert rows[2][:2] == ["3", "'=1+1"]
    assert "not ready to run" in refused.content.decode()
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "The submitted file is empty."),
        ("first_name,last_name\n", "header.csv", "has a header row but no customers"),
        ("first_name\nAda\n", "customers.xlsx", "is not an Excel workbook"),
        (b"first_name\nA\x00da\n", "nul.csv", "NUL byte"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_next_to_the_field(
    manager_client, content, name, message
):
    response = upload(manager_client, content, name=name)

    assert any(message in error for error in field_errors(response, "upload"))
    assert not CustomerImport.objects.exists()


def test_unknown_columns_are_mapped_first(manager_client, downtown, run_jobs):
    content = (
        "Given name,Surname,E-mail,Shop,Favourite colour\nAda,Lovelace,ada@example.com,DT01,red\n"
    )

    response = upload(manager_client, content)
    job = CustomerImport.objects.get()

    assert response.url == reverse("imports:mapping", args=[job.pk])
    run_jobs(lambda: manager_client.post(response.url, {
        "column_0": "first_name", "column_1": "last_name", "column_2": "email",
        "column_3": "stores", "column_4": "",
    }))  # fmt: skip
    job.refresh_from_db()
    assert (job.status, job.to_create) == ("checked", 1)


def test_a_workbooks_columns_are_read_by_the_job_then_mapped(
    manager_client, downtown, run_jobs, tmp_path
):
    path = write_xlsx(tmp_path / "customers.xlsx", [
        ["Given name", "Surname", "E-mail", "Shop", "Favourite colour"],
        ["Ada", "Lovelace", "ada@example.com", "DT01", "red"],
    ])  # fmt: skip

    response = run_jobs(lambda: upload(manager_client, path.read_bytes(), name="customers.xlsx"))
    job = CustomerImport.objects.get()

    assert (response.url, job.status) == (job.get_absolute_url(), "mapping")
    page = manager_client.get(response.url).content.decode()
    assert "Choose the columns" in page
    form = manager_client.get(reverse("imports:mapping", args=[job.pk])).context["form"]
    assert [field.label for field in form] == [
        "Given name", "Surname", "E-mail", "Shop", "Favourite colour",
    ]  # fmt: skip
    run_jobs(lambda: manager_client.post(reverse("imports:mapping", args=[job.pk]), {
        "column_0": "first_name", "column_1": "last_name", "column_2": "email",
        "column_3": "stores", "column_4": "",
    }))  # fmt: skip
    job.refresh_from_db()
    assert (job.status, job.to_create) == ("checked", 1)


def test_our_export_round_trips_through_the_pages(manager_client, run_jobs):
    call_command("seed_demo", customers=50, stdout=StringIO())
    exported = "".join(CustomerTable.csv_lines(Customer.objects.order_by("pk")))
    remove_every_customer()

    run_jobs(lambda: upload(manager_client, exported, name="customers-20261126-0900.csv"))
    job = CustomerImport.objects.get()
    run_jobs(lambda: manager_client.post(reverse("imports:commit", args=[job.pk])))

    assert Customer.objects.count() == 50
    assert "".join(CustomerTable.csv_lines(Customer.objects.order_by("email"))).count("\n") == 51


def test_the_template_has_the_exports_columns_and_two_examples(manager_client):
    response = manager_client.get(reverse("imports:template"))

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["id", "customer_type", "first_name"]
    assert len(rows) == 3


def test_a_file_over_the_other_pages_10_mb_limit_is_accepted_for_import(manager_client, downtown):
    rows = "".join(f"First{n},Last,person{n}@example.com,DT01\n" for n in range(240_000))
    content = "first_name,last_name,email,stores\n" + rows
    assert len(content) > 10 * 1024 * 1024

    response = upload(manager_client, content, name="big.csv")

    assert response.status_code == 302
    assert CustomerImport.objects.get().name == "big.csv"


def test_a_file_of_customers_all_here_says_there_is_nothing_to_import(manager_client, run_jobs):
    from tests.factories import make_customer

    make_customer(email="ada@example.com")
    content = "first_name,last_name,email,stores\nAda,Lovelace,ADA@example.com,DT01\n"

    run_jobs(lambda: upload(manager_client, content))
    page = manager_client.get(CustomerImport.objects.get().get_absolute_url()).content.decode()

    assert "Nothing to import: every customer in this file is already here" in page
    assert "Import 0 customers" not in page
    # The second hour, point 11: the badge said "Ready to import" beside it.
    assert 'id="job-status">Nothing to import</span>' in page
    assert "Ready to import" not in page
    listing = manager_client.get(reverse("imports:list")).content.decode()
    assert "Nothing to import" in listing and "Ready to import" not in listing


def test_phone_numbers_are_read_in_the_top_bar_stores_country_unless_chosen(
    manager_client, run_jobs
):
    london = make_store("London", code="LN01", country="GB")
    manager_client.post(reverse("stores:choose"), {"store": london.pk})

    form = manager_client.get(UPLOAD).context["form"]
    run_jobs(lambda: upload(manager_client, "first_name,last_name,email,phone,stores\n"
                                            "Ada,L,ada@example.com,020 7946 0958,LN01\n",
                            phone_region="GB"))  # fmt: skip
    job = CustomerImport.objects.get()
    run_jobs(lambda: manager_client.post(reverse("imports:commit", args=[job.pk])))

    assert form["phone_region"].value() == "GB"
    assert Customer.objects.get().phone.as_e164 == "+442079460958"
