"""The CSV export: the list as it is shown, streamed, safe to open in a spreadsheet."""

import csv
import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.exports import HEADER
from tests.factories import make_customer

EXPORT_URL = reverse("customers:export")
LIST_URL = reverse("customers:list")
EXPECTED_HEADER = (
    "id,customer_type,first_name,last_name,company_name,email,phone,gender,date_of_birth,"
    "nationality,anniversary,gate_code,id_number,notes,stores,loyalty_enrolled,loyalty_balance,"
    "address_line1,address_line2,city,state,zip_code,country,created_at,updated_at,"
    "last_sale_at,sale_count,total_spent,email_consent,sms_consent"
)


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(body))), body


def listed_ids(client, params):
    """Every customer id the list shows for ``params``, over all its pages."""
    ids, page = [], 1
    while True:
        response = client.get(LIST_URL, {**params, "page": page})
        ids += [str(customer.pk) for customer in response.context["customers"]]
        if not response.context["page_obj"].has_next():
            return ids
        page += 1


def test_header_is_the_contract(manager_client, db):
    response = manager_client.get(EXPORT_URL)

    _, body = read_csv(response)
    assert body.splitlines()[0] == EXPECTED_HEADER
    assert ",".join(HEADER) == EXPECTED_HEADER


def test_download_is_named_by_date_and_streamed(manager_client, db):
    response = manager_client.get(EXPORT_URL)

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="customers-\d{8}-\d{4}\.csv"', response["Content-Disposition"]
    )


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"type": "business"},
        {"store": "DT01", "sort": "name"},
        {"q": "example", "loyalty": "enrolled", "sort": "-balance"},
        {"type": "personal", "store": "RV02"},
    ],
)
def test_rows_are_the_customers_the_list_shows(manager_client, chain, params):
    rows, _ = read_csv(manager_client.get(EXPORT_URL, params))

    assert [row["id"] for row in rows] == listed_ids(manager_client, params)


def test_export_covers_all_pages(manager_client, downtown):
    for _ in range(60):
        make_customer(stores=[downtown])

    rows, _ = read_csv(manager_client.get(EXPORT_URL, {"page": 1}))

    assert len(rows) == 60


def test_values_are_written_as_the_contract_says(manager_client, downtown, riverside):
    customer = make_customer(
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.com",
        phone="+442079460958",
        gender="female",
        date_of_birth=datetime.date(1990, 12, 10),
        nationality="GB",
        stores=[riverside, downtown],
        loyalty_balance=150,
        country="GB",
    )

    (row,), _ = read_csv(manager_client.get(EXPORT_URL))

    assert row["id"] == str(customer.pk)
    assert row["customer_type"] == "personal"
    assert row["stores"] == "DT01;RV02"
    assert (row["loyalty_enrolled"], row["loyalty_balance"]) == ("true", "150")
    assert row["date_of_birth"] == "1990-12-10"
    assert (row["nationality"], row["country"]) == ("GB", "GB")
    assert row["anniversary"] == ""
    assert row["phone"] == "+442079460958"  # digits alone run as nothing: kept for SMS tools
    assert datetime.datetime.fromisoformat(row["created_at"]) == customer.created_at


@pytest.mark.parametrize("microsecond", [0, 295646, 295640, 500000])
def test_times_are_written_as_isoformat_writes_them(manager_client, downtown, microsecond):
    created = datetime.datetime(2026, 11, 5, 12, 27, 45, microsecond, tzinfo=datetime.UTC)
    customer = make_customer(stores=[downtown], created_at=created)

    (row,), _ = read_csv(manager_client.get(EXPORT_URL))

    assert row["created_at"] == created.isoformat()
    customer.refresh_from_db()
    assert row["updated_at"] == customer.updated_at.isoformat()


@pytest.mark.parametrize(
    ("typed", "exported"),
    [
        ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
        ("+1+1", "'+1+1"),
        ("+15125550199", "+15125550199"),
        ("+1 512 555 0199", "'+1 512 555 0199"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("plain note", "plain note"),
    ],
)
def test_formula_cells_are_neutralised(manager_client, db, typed, exported):
    make_customer(notes=typed, first_name=typed.strip() or "x")

    (row,), _ = read_csv(manager_client.get(EXPORT_URL))

    assert row["notes"] == exported


def test_clerk_may_not_export(clerk_client, db):
    assert clerk_client.get(EXPORT_URL).status_code == 403


def test_export_queries_are_the_same_for_10_and_500_customers(
    manager_client, downtown, riverside, django_assert_max_num_queries
):
    for _ in range(10):
        make_customer(stores=[downtown, riverside], loyalty_balance=5)
    with CaptureQueriesContext(connection) as with_10:
        read_csv(manager_client.get(EXPORT_URL))
    for _ in range(490):
        make_customer(stores=[downtown, riverside], loyalty_balance=5)

    with django_assert_max_num_queries(len(with_10)):
        rows, _ = read_csv(manager_client.get(EXPORT_URL))
    assert len(rows) == 500


# On PostgreSQL the command's CSV is read through a connection of its own (COPY): what a
# test makes must be committed for it to see.
@pytest.mark.django_db(transaction=True)
class TestCommand:
    def run(self, *args):
        stdout, stderr = io.StringIO(), io.StringIO()
        call_command("export_customers", *args, stdout=stdout, stderr=stderr)
        return stdout.getvalue(), stderr.getvalue()

    def test_writes_the_same_csv_to_stdout(self, manager_client, chain):
        output, _ = self.run()

        web = b"".join(manager_client.get(EXPORT_URL, {"store": "all"}).streaming_content)
        assert output == web.decode()

    def test_filters_by_type_and_store(self, chain):
        output, _ = self.run("--type", "business", "--store", "DT01")

        rows = list(csv.DictReader(io.StringIO(output)))
        assert [row["company_name"] for row in rows] == ["Zeta Corp"]

    def test_deleted_customers_only_on_request(self, chain):
        chain["ada"].deleted_at = chain["ada"].created_at
        chain["ada"].save()

        without, _ = self.run()
        with_deleted, _ = self.run("--include-deleted")

        assert "ada@example.com" not in without
        assert "ada@example.com" in with_deleted

    def test_writes_a_file(self, chain, tmp_path):
        target = tmp_path / "customers.csv"

        _, messages = self.run("--output", str(target))

        assert target.read_text(encoding="utf-8").splitlines()[0] == EXPECTED_HEADER
        assert len(target.read_text(encoding="utf-8").splitlines()) == 5
        assert "Wrote 4 customers" in messages
        assert [path.name for path in tmp_path.iterdir()] == ["customers.csv"]

    def test_interrupted_export_leaves_no_file(self, chain, tmp_path, monkeypatch):
        def interrupted(file_format, table_class, queryset, out):
            out.write((",".join(HEADER) + "\r\n").encode())
            yield 1
            raise KeyboardInterrupt

        monkeypatch.setattr(
            "customers.management.commands.export_customers.write_export_file", interrupted
        )
        target = tmp_path / "customers.csv"

        with pytest.raises(KeyboardInterrupt):
            self.run("--output", str(target))

        assert list(tmp_path.iterdir()) == []

    def test_missing_output_folder_is_a_clear_error(self, db, tmp_path):
        with pytest.raises(CommandError, match="does not exist"):
            self.run("--output", str(tmp_path / "nowhere" / "customers.csv"))

    def test_stops_quietly_when_the_reader_closes_the_pipe(self, chain):
        class ClosedAfterTheHeader(io.StringIO):
            """Like `| head -1`: takes one line, then the pipe is gone."""

            def write(self, text):
                if self.getvalue():
                    raise BrokenPipeError
                return super().write(text)

        reader = ClosedAfterTheHeader()
        call_command("export_customers", stdout=reader, stderr=io.StringIO())

        assert reader.getvalue() == EXPECTED_HEADER + "\r\n"

    def test_unknown_store_is_an_error(self, db):
        with pytest.raises(CommandError, match="No store has the code 'NOPE'"):
            self.run("--store", "NOPE")
