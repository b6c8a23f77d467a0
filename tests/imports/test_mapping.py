"""Choosing what a file's columns fill (the store manager's second hour, point 5): common
names are recognised, the fields are offered by their labels beside each column's first
values, a set of columns is mapped once, and the valid rows of a file with errors can be
imported on their own after a confirmation."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.models import Customer
from customers.tables import CustomerTable
from imports.checking import column_mapping, needs_mapping
from imports.models import CustomerImport, RememberedMapping
from tests.factories import make_customer, make_user, remove_every_customer
from tests.imports.workbooks import write_xlsx

pytestmark = pytest.mark.django_db

Status = CustomerImport.Status


def upload(client, content, name="customers.csv"):
    data = {"match": "email", "encoding": "utf-8", "date_format": "%Y-%m-%d"}
    data["upload"] = SimpleUploadedFile(
        name, content.encode() if isinstance(content, str) else content
    )
    return client.post(reverse("imports:upload"), data)


def mapped(header):
    mapping, unknown = column_mapping(header)
    return {header[index]: field for index, field in mapping.items()}, unknown


@pytest.mark.parametrize(
    ("column", "field"),
    [
        ("E-mail", "email"),
        ("Email Address", "email"),
        ("Phone Number", "phone"),
        ("Mobile", "phone"),
        ("Store", "stores"),
        ("Postcode", "zip_code"),
        ("ZIP", "zip_code"),
        ("First Name", "first_name"),
        ("  first   NAME ", "first_name"),
        ("first_name", "first_name"),
        ("Surname", "last_name"),
        ("Loyalty Points", "loyalty_balance"),
        ("Date of Birth", "date_of_birth"),
        ("DOB", "date_of_birth"),
        ("Apartment", "address_line2"),
        ("Company", "company_name"),
    ],
)
def test_common_names_in_any_case_and_spacing_are_recognised(column, field):
    assert mapped([column]) == ({column: field}, [])


def test_the_workbook_exports_own_labels_are_recognised():
    labels = CustomerTable.export_labels()

    found, unknown = mapped(labels)

    assert unknown == []
    assert found["First name"] == "first_name" and found["Zip code"] == "zip_code"
    assert found["Loyalty"] == "loyalty_enrolled" and found["Balance"] == "loyalty_balance"
    assert "Created" not in found and "Updated" not in found  # the system's own: ignored
    assert not needs_mapping(labels)


def test_two_columns_for_one_field_are_left_to_choose():
    found, unknown = mapped(["Phone", "Mobile", "First name", "Last name", "Email", "Store"])

    assert found["Phone"] == "phone" and unknown == ["Mobile"]


@pytest.fixture
def file_to_map(manager_client, downtown):
    """A file from another system, with one column no one can guess."""
    content = (
        "Given name,Surname,E-mail,Shop,Client since\n"
        "Ada,Lovelace,ada@example.com,DT01,2019\n"
        "Grace,Hopper,grace@example.com,DT01,2020\n"
        "Alan,Turing,alan@example.com,DT01,2021\n"
        "Edsger,Dijkstra,edsger@example.com,DT01,2022\n"
    )
    response = upload(manager_client, content, name="old-system.csv")
    job = CustomerImport.objects.get()
    assert response.url == reverse("imports:mapping", args=[job.pk])
    return job


def test_the_fields_are_offered_by_their_labels_beside_each_columns_first_values(
    manager_client, file_to_map
):
    page = manager_client.get(reverse("imports:mapping", args=[file_to_map.pk])).text

    assert '<option value="first_name" selected>First name</option>' in page
    assert '<option value="date_of_birth">Date of birth</option>' in page
    assert ">first_name<" not in page
    assert "Ada · Grace · Alan" in page  # the first three values, not the fourth
    assert "Edsger" not in page
    assert "2019 · 2020 · 2021" in page


def test_a_set_of_columns_is_mapped_once_then_a_workbook_with_them_is_not(
    manager_client, file_to_map, run_jobs, tmp_path
):
    run_jobs(lambda: manager_client.post(reverse("imports:mapping", args=[file_to_map.pk]), {
        "column_0": "first_name", "column_1": "last_name", "column_2": "email",
        "column_3": "stores", "column_4": "",
    }))  # fmt: skip
    path = write_xlsx(tmp_path / "old-system.xlsx", [
        ["Given name", "Surname", "E-mail", "Shop", "Client since"],
        ["Barbara", "Liskov", "barbara@example.com", "DT01", "2023"],
    ])  # fmt: skip

    response = run_jobs(lambda: upload(manager_client, path.read_bytes(), "old-system.xlsx"))

    workbook_import = CustomerImport.objects.latest("pk")
    assert response.url == workbook_import.get_absolute_url()
    assert (workbook_import.status, workbook_import.to_create) == (Status.CHECKED, 1)
    assert workbook_import.mapping == {
        "Given name": "first_name", "Surname": "last_name", "E-mail": "email",
        "Shop": "stores", "Client since": "-",
    }  # fmt: skip
    assert RememberedMapping.objects.count() == 1


def test_a_remembered_mapping_is_only_for_the_same_columns(manager_client, file_to_map, run_jobs):
    run_jobs(lambda: manager_client.post(reverse("imports:mapping", args=[file_to_map.pk]), {
        "column_0": "first_name", "column_1": "last_name", "column_2": "email",
        "column_3": "stores", "column_4": "",
    }))  # fmt: skip

    response = upload(
        manager_client, "Given name,Surname,E-mail,Shop,Member since\nA,B,c@d.e,DT01,1\n"
    )

    assert response.url == reverse("imports:mapping", args=[CustomerImport.objects.latest("pk").pk])


@pytest.fixture
def file_with_errors(manager_client, downtown, run_jobs):
    """Three good rows and two bad ones, checked."""
    content = (
        "first_name,last_name,email,stores\n"
        "Ada,Lovelace,ada@example.com,DT01\n"
        "Bad,Email,not-an-email,DT01\n"
        "Grace,Hopper,grace@example.com,DT01\n"
        "Bad,Store,bad.store@example.com,ZZ99\n"
        "Alan,Turing,alan@example.com,DT01\n"
    )
    run_jobs(lambda: upload(manager_client, content))
    job = CustomerImport.objects.get()
    assert (job.status, job.to_create, job.rows_with_errors) == (Status.REFUSED, 3, 2)
    return job


def test_the_valid_rows_are_imported_after_a_confirmation_that_says_how_many(
    manager_client, file_with_errors, run_jobs
):
    job = file_with_errors
    page = manager_client.get(job.get_absolute_url()).text
    assert "Import the 3 valid rows…" in page

    confirmation = manager_client.get(reverse("imports:valid_rows", args=[job.pk])).text
    assert "Import 3 valid rows and leave out 2?" in confirmation
    assert not Customer.objects.exists()
    run_jobs(lambda: manager_client.post(reverse("imports:valid_rows", args=[job.pk])))

    job.refresh_from_db()
    assert (job.status, job.created) == (Status.DONE, 3)
    assert sorted(Customer.objects.values_list("first_name", flat=True)) == [
        "Ada", "Alan", "Grace",
    ]  # fmt: skip
    page = manager_client.get(job.get_absolute_url()).text
    assert "2 rows with errors were left out" in page
    report = manager_client.get(reverse("imports:errors", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode())))
    assert [row[3] for row in rows[1:]] == ["not-an-email", "bad.store@example.com"]


def test_a_file_without_errors_is_not_imported_by_the_valid_rows_page(
    manager_client, downtown, run_jobs
):
    run_jobs(
        lambda: upload(
            manager_client, "first_name,last_name,email,stores\nAda,Lovelace,ada@example.com,DT01\n"
        )
    )
    job = CustomerImport.objects.get()

    response = manager_client.post(reverse("imports:valid_rows", args=[job.pk]), follow=True)

    assert "no valid rows to import apart from the others" in response.text
    assert CustomerImport.objects.get().status == Status.CHECKED


def test_another_manager_cannot_import_the_valid_rows(client, file_with_errors, downtown):
    client.force_login(make_user("other", groups=["Managers"], stores=[downtown]))

    response = client.post(reverse("imports:valid_rows", args=[file_with_errors.pk]))

    assert response.status_code == 404
    assert CustomerImport.objects.get().status == Status.REFUSED


def test_the_workbook_export_imports_again_as_it_is(manager_client, downtown, run_jobs):
    for name in ("Ada", "Grace", "Alan"):
        make_customer(
            first_name=name, zip_code="02108", phone="+16175550123", stores=[downtown],
            loyalty_balance=40,
        )  # fmt: skip
    exported = b"".join(manager_client.get(reverse("customers:export_xlsx")).streaming_content)
    before = list(CustomerTable.export_rows(Customer.objects.order_by("email")))
    remove_every_customer()

    run_jobs(lambda: upload(manager_client, exported, name="customers.xlsx"))
    job = CustomerImport.objects.get()
    assert (job.status, job.to_create) == (Status.CHECKED, 3)
    run_jobs(lambda: manager_client.post(reverse("imports:commit", args=[job.pk])))

    after = list(CustomerTable.export_rows(Customer.objects.order_by("email")))
    columns = CustomerTable.export_columns()
    system_made = [columns.index(name) for name in ("id", "created_at", "updated_at")]
    for row in (*before, *after):
        for index in system_made:
            row[index] = None
    assert after == before
