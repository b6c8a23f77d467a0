"""import_customers: the same checks from the shell, then the rows written in batches."""

import csv
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from backoffice.models import AuditEvent
from customers.models import Customer
from customers.tables import CustomerTable
from imports import pipeline
from imports.reading import MAX_BYTES
from loyalty.models import LoyaltyLedgerEntry
from stores.models import Store
from tests.factories import OPS, make_customer, remove_every_customer

pytestmark = pytest.mark.django_db
SYSTEM_COLUMNS = ("id", "created_at", "updated_at")


def export():
    return "".join(CustomerTable.csv_lines(Customer.objects.order_by("pk")))


def by_email(text):
    """The export's rows by email, without the columns the system sets."""
    rows = list(csv.DictReader(io.StringIO(text)))
    return {
        row["email"]: {name: value for name, value in row.items() if name not in SYSTEM_COLUMNS}
        for row in rows
    }


def run(*args):
    out = StringIO()
    call_command("import_customers", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def demo_export(tmp_path):
    """Our own export of the 50 demo customers, then an empty customer list."""
    call_command("seed_demo", customers=50, stdout=StringIO())
    text = export()
    remove_every_customer()
    path = tmp_path / "customers-20261126-0900.csv"
    path.write_text(text)
    return path, text


def test_our_export_imports_back_as_the_same_customers(demo_export):
    path, exported = demo_export

    assert run(str(path), "--match", "email") == "Imported: 50 created, 0 updated, 0 skipped.\n"

    assert by_email(export()) == by_email(exported)
    imported = AuditEvent.objects.filter(action="create", summary=f"Imported from {path.name}")
    assert imported.count() == 50
    assert set(LoyaltyLedgerEntry.objects.values_list("reason", flat=True)) == {"import"}
    call_command("check_balances", stdout=StringIO())
    call_command("check_customer_tallies", stdout=StringIO())


def test_running_the_same_file_again_creates_no_duplicates(demo_export):
    path, _ = demo_export
    run(str(path), "--match", "email")

    assert run(str(path), "--match", "email") == "Imported: 0 created, 0 updated, 50 skipped.\n"
    assert Customer.objects.count() == 50


def test_a_dry_run_writes_nothing(demo_export):
    path, _ = demo_export

    assert run(str(path), "--dry-run") == (
        "Dry run: 50 to create, 0 to update, 0 to skip, 0 with errors.\n"
    )
    assert not Customer.objects.exists()


def test_a_file_with_errors_writes_nothing_and_reports_them(tmp_path, downtown):
    path = tmp_path / "new.csv"
    path.write_text(
        "first_name,last_name,email,stores\nAda,Lovelace,ada@example.com,DT01\n"
        ",Nameless,n@example.com,DT01\n=cmd(),Formula,f@example.com,XX99\n"
    )
    report = tmp_path / "errors.csv"
    errors = StringIO()

    with pytest.raises(CommandError, match="Nothing was imported: 1 to create, .* 2 with errors"):
        call_command("import_customers", str(path), "--errors", str(report), stdout=StringIO(),
                     stderr=errors)  # fmt: skip

    assert not Customer.objects.exists()
    assert "row 3, first_name: This field is required." in errors.getvalue()
    rows = list(csv.reader(report.open()))
    assert rows[0] == ["row", "first_name", "last_name", "email", "stores", "errors"]
    assert rows[2] == ["4", "'=cmd()", "Formula", "f@example.com", "XX99",
                       "stores: No store has the code XX99."]  # fmt: skip


def test_a_file_that_cannot_be_read_is_one_line(tmp_path, db):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")

    with pytest.raises(CommandError, match="This file is empty."):
        run(str(path))


def test_an_interrupted_import_keeps_whole_batches_and_says_which_rows(demo_export, monkeypatch):
    path, _ = demo_export
    monkeypatch.setattr("imports.pipeline.BATCH_SIZE", 20)
    write_batch = pipeline.write_batch
    calls = []

    def interrupted_on_the_second_batch(rows, **kwargs):
        calls.append(len(rows))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return write_batch(rows, **kwargs)

    monkeypatch.setattr("imports.pipeline.write_batch", interrupted_on_the_second_batch)

    with pytest.raises(CommandError, match="Stopped: rows up to 21 were written .20 created"):
        run(str(path), "--match", "email")

    assert Customer.objects.count() == 20
    monkeypatch.undo()
    assert run(str(path), "--match", "email") == "Imported: 30 created, 0 updated, 20 skipped.\n"


def test_rows_the_dry_run_kept_write_the_same_customers_as_rows_checked_again(
    demo_export, tmp_path
):
    path, exported = demo_export
    kept = tmp_path / "checked.gz"
    options = pipeline.Options(match="email")
    pipeline.dry_run(path, path.name, options, keep=kept)

    pipeline.write(path, path.name, options, actor=OPS, kept=kept)
    as_kept = by_email(export())
    remove_every_customer()
    pipeline.write(path, path.name, options, actor=OPS)

    assert as_kept == by_email(export()) == by_email(exported)


def test_a_customer_added_since_the_dry_run_is_matched_not_duplicated(demo_export, tmp_path):
    path, exported = demo_export
    kept = tmp_path / "checked.gz"
    options = pipeline.Options(match="email")
    pipeline.dry_run(path, path.name, options, keep=kept)
    first_email = next(iter(by_email(exported)))
    make_customer(email=first_email.upper(), stores=[Store.objects.first()])

    written = pipeline.write(path, path.name, options, actor=OPS, kept=kept)

    assert (written.created, written.skipped) == (49, 1)
    assert Customer.objects.filter(email__iexact=first_email).count() == 1


def test_a_phone_region_reads_national_numbers(tmp_path, downtown):
    path = tmp_path / "phones.csv"
    path.write_text(
        "first_name,last_name,email,phone,stores\nAda,L,a@example.com,(512) 555-0199,DT01\n"
    )

    run(str(path), "--phone-region", "us")

    assert Customer.objects.get().phone.as_e164 == "+15125550199"
    with pytest.raises(CommandError, match="--phone-region: XX is not a country code"):
        run(str(path), "--phone-region", "XX")


def test_the_shell_reads_files_over_the_upload_limit(tmp_path, downtown):
    """A million customers are over 200 MB of CSV: more than an upload may be."""
    path = tmp_path / "big.csv"
    with path.open("wb") as file:
        file.write(b"first_name,last_name,email,stores\nAda,L,ada@example.com,DT01\n")
        file.truncate(MAX_BYTES + 1)  # the rest is NUL bytes

    with pytest.raises(CommandError, match="Line 3 contains a NUL byte"):
        run(str(path))


def test_a_store_named_twice_is_one_store_and_counted_once(tmp_path, downtown):
    path = tmp_path / "twice.csv"
    path.write_text("first_name,last_name,email,stores\nAda,L,ada@example.com,DT01;dt01\n")

    run(str(path))

    assert list(Customer.objects.get().stores.all()) == [downtown]
    call_command("check_customer_tallies", stdout=StringIO())
