"""Export to Excel (.xlsx) and CSV for Excel: the list as a spreadsheet user wants it, beside
the CSV that other tools read."""

import datetime
import io
import re
import zipfile

from django.urls import reverse
from python_calamine import CalamineWorkbook

from backoffice.models import Export
from customers.tables import CustomerTable
from tests.factories import make_customer

WORKBOOK_URL = reverse("customers:export_xlsx")
CSV_FOR_EXCEL_URL = reverse("customers:export_excel_csv")


def workbook_bytes(response):
    return b"".join(response.streaming_content)


def sheet_rows(content):
    """The first sheet's rows as a spreadsheet reads them: typed values."""
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def as_dicts(rows):
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def test_the_workbook_has_the_lists_labels_and_cells_of_the_right_kind(
    manager_client, boston_customer
):
    response = manager_client.get(WORKBOOK_URL)

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert re.fullmatch(
        r'attachment; filename="customers-\d{8}-\d{4}\.xlsx"', response["Content-Disposition"]
    )
    rows = sheet_rows(workbook_bytes(response))
    assert rows[0] == CustomerTable.export_labels()
    assert rows[0][:4] == ["ID", "Type", "First name", "Last name"]
    (row,) = as_dicts(rows)
    assert row["First name"] == "Sofía"
    assert row["Zip code"] == "02108"  # text: the leading zero stays
    assert row["Phone"] == "+16175550123"  # text, without the CSV's "'"
    assert row["ID"] == str(boston_customer.pk)
    assert row["Customer ID number"] == "0071"
    assert row["Date of birth"] == datetime.date(1990, 1, 31)  # a real date
    assert row["Loyalty"] is True
    assert row["Balance"] == 300
    assert row["Notes"] == '=HYPERLINK("http://evil.example","x")'
    assert isinstance(row["Created"], datetime.datetime)


def test_no_cell_of_the_workbook_is_a_formula(manager_client, boston_customer):
    content = workbook_bytes(manager_client.get(WORKBOOK_URL))

    with zipfile.ZipFile(io.BytesIO(content)) as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    assert "HYPERLINK" in sheet
    assert "<f>" not in sheet and "<f " not in sheet


def test_the_workbook_has_the_lists_filters_and_sort(manager_client, downtown):
    make_customer(first_name="Ada", last_name="Lovelace", stores=[downtown])
    make_customer(first_name="Grace", last_name="Hopper", stores=[downtown])
    make_customer(first_name="Alan", last_name="Turing", stores=[downtown])
    make_customer(
        first_name="Bob",
        last_name="Zimmer",
        customer_type="business",
        company_name="Acme",
        stores=[downtown],
    )

    response = manager_client.get(WORKBOOK_URL, {"type": "personal", "sort": "-name"})

    rows = as_dicts(sheet_rows(workbook_bytes(response)))
    assert [row["Last name"] for row in rows] == ["Turing", "Lovelace", "Hopper"]


def test_times_in_the_workbook_are_the_stores_local_time_to_the_minute(
    manager_client, downtown, settings
):
    settings.TIME_ZONE = "America/New_York"
    created = datetime.datetime(2026, 7, 1, 16, 30, 45, tzinfo=datetime.UTC)
    make_customer(first_name="Ada", stores=[downtown], created_at=created)

    (row,) = as_dicts(sheet_rows(workbook_bytes(manager_client.get(WORKBOOK_URL))))

    assert row["Created"] == datetime.datetime(2026, 7, 1, 12, 30, 45)


def test_csv_for_excel_is_the_csv_with_a_byte_order_mark(manager_client, boston_customer):
    plain = b"".join(manager_client.get(reverse("customers:export")).streaming_content)

    response = manager_client.get(CSV_FOR_EXCEL_URL)

    body = b"".join(response.streaming_content)
    assert body == "\ufeff".encode() + plain
    assert "García".encode() in body
    assert re.fullmatch(
        r'attachment; filename="customers-\d{8}-\d{4}\.csv"', response["Content-Disposition"]
    )


def test_the_list_offers_every_file_with_its_search(manager_client, boston_customer):
    response = manager_client.get(reverse("customers:list"), {"q": "garcia"})

    assert f'href="{CSV_FOR_EXCEL_URL}?q=garcia"' in response.text
    assert f'href="{WORKBOOK_URL}?q=garcia"' in response.text
    assert ">Excel workbook (.xlsx)</a>" in response.text
    assert ">CSV for Excel</a>" in response.text


def test_a_clerk_without_the_export_permission_gets_no_workbook(clerk_client, boston_customer):
    assert clerk_client.get(WORKBOOK_URL).status_code == 403
    assert clerk_client.get(CSV_FOR_EXCEL_URL).status_code == 403
    assert "Excel workbook" not in clerk_client.get(reverse("customers:list")).text


def test_a_big_workbook_is_written_in_the_background(manager_client, downtown, settings, run_jobs):
    settings.EXPORT_WORKBOOK_LIMIT = 2
    for name in ("Ada", "Grace", "Alan"):
        make_customer(first_name=name, stores=[downtown])

    offer = manager_client.get(WORKBOOK_URL, {"sort": "name"})
    assert "more than 2 rows" in offer.text and "written in the background" in offer.text
    run_jobs(lambda: manager_client.post(f"{WORKBOOK_URL}?sort=name"))

    export = Export.objects.get()
    assert export.status == Export.Status.DONE
    assert export.filename.endswith(".xlsx")
    download = manager_client.get(reverse("export_download", args=[export.pk]))
    rows = as_dicts(sheet_rows(b"".join(download.streaming_content)))
    assert sorted(row["First name"] for row in rows) == ["Ada", "Alan", "Grace"]
