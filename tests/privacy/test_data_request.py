"""A data request: "what do you hold on me?" answered with one zip, a JSON document of
everything and a CSV per part, downloaded from the customer's page or written by ops."""

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from backoffice.models import AuditEvent, Export
from customers.models import Customer
from tests.factories import make_customer

PARTS = [
    "customer", "stores", "consent_history", "loyalty_account", "loyalty_ledger",
    "loyalty_cards", "sales", "memberships", "membership_seats", "membership_entries",
    "house_accounts", "house_account_entries", "audit_events", "exports", "export_files",
    "import_rows",
]  # fmt: skip


def url_of(customer):
    return reverse("privacy:data_request", args=[customer.pk])


def opened(content):
    archive = zipfile.ZipFile(io.BytesIO(content))
    return archive, {
        name: archive.read(name) if name.startswith("photo/") else archive.read(name).decode()
        for name in archive.namelist()
    }


@pytest.fixture
def answer(petra, zed):
    response = petra.get(url_of(zed))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(f'attachment; filename="customer-{zed.pk}-')
    _, files = opened(b"".join(response.streaming_content))
    return files


def test_the_zip_holds_one_json_document_and_a_csv_per_part(answer, zed):
    assert sorted(answer) == sorted(
        [f"customer-{zed.pk}.json", *(f"csv/{part}.csv" for part in PARTS),
         f"photo/{Path(zed.photo.name).name}"]
    )  # fmt: skip
    document = json.loads(answer[f"customer-{zed.pk}.json"])
    assert set(document) == {"generated_at", "customer_id", *PARTS}


def test_the_customer_part_has_every_field_with_its_value(answer, zed):
    (customer,) = json.loads(answer[f"customer-{zed.pk}.json"])["customer"]

    assert set(customer) == {field.attname for field in Customer._meta.concrete_fields}
    assert {name: customer[name] for name in (
        "id", "first_name", "last_name", "email", "phone", "id_number", "city",
        "address_line1", "gate_code", "notes", "date_of_birth", "customer_type",
        "email_consent", "email_consent_level", "email_consent_source", "sms_consent",
        "sale_count", "total_spent", "loyalty_points", "erased_at",
    )} == {
        "id": zed.pk, "first_name": "Zebedee", "last_name": "Quixote",
        "email": "zebedee.quixote@example.com", "phone": "+14155550199",
        "id_number": "ZQ-4242", "city": "Quillville", "address_line1": "7 Xylophone Row",
        "gate_code": "X9Y8", "notes": "Zebedee collects quinces",
        "date_of_birth": "1980-02-29", "customer_type": "personal",
        "email_consent": "subscribed", "email_consent_level": "single",
        "email_consent_source": "form", "sms_consent": "not_asked",
        "sale_count": 1, "total_spent": "60.00", "loyalty_points": zed.loyalty_points,
        "erased_at": None,
    }  # fmt: skip
    assert customer["photo"] == zed.photo.name
    assert customer["email_consent_at"] == zed.email_consent_at.isoformat()


def test_every_other_part_holds_the_customers_rows(answer, zed):
    document = json.loads(answer[f"customer-{zed.pk}.json"])

    assert [store["code"] for store in document["stores"]] == ["DT01", "RV02"]
    assert [(e["channel"], e["state"], e["source"]) for e in document["consent_history"]] == [
        ("email", "subscribed", "form")
    ]
    assert document["loyalty_account"][0]["balance"] == zed.loyalty_account.balance
    ledger = [(entry["delta"], entry["note"]) for entry in document["loyalty_ledger"]]
    assert (5, "Zebedee's birthday") in ledger
    assert len(ledger) == zed.loyalty_account.entries.count()
    assert document["loyalty_cards"][0]["code"] == zed.loyalty_card.code
    assert [(sale["receipt_id"], sale["total"]) for sale in document["sales"]] == [("R-1", "60.00")]
    assert [m["customer_id"] for m in document["memberships"]] == [zed.pk]
    assert [seat["is_holder"] for seat in document["membership_seats"]] == [True]
    assert "charge" in [entry["kind"] for entry in document["membership_entries"]]
    assert [a["account_number"] for a in document["house_accounts"]] == ["HA-ZED"]
    assert {("charge", "30.00"), ("payment", "-30.00")} <= {
        (entry["kind"], entry["amount"]) for entry in document["house_account_entries"]
    }
    summaries = [event["summary"] for event in document["audit_events"]]
    assert "Created" in summaries and any("Charge" in s for s in summaries)


def test_the_zip_holds_the_photo_itself(answer, zed):
    assert answer[f"photo/{Path(zed.photo.name).name}"] == Path(zed.photo.path).read_bytes()


def test_it_lists_the_exports_made_about_them_and_their_rows_in_imports(
    petra, privacy_officer, zed, run_jobs
):
    b"".join(petra.get(reverse("customers:export"), {"q": "quixote"}).streaming_content)
    b"".join(petra.get(reverse("customers:export"), {"q": "Ada"}).streaming_content)
    written = Export.objects.create(
        title="Customers", filename="customers.csv", created_by=privacy_officer, status="done",
        file=ContentFile(b"first_name,last_name\nZebedee,Quixote\n", name="customers.csv"),
    )  # fmt: skip
    rows = ["first_name,last_name,email,stores", "Ada,Byron,a@example.com,DT01",
            f"Zebedee,Quixote,{zed.email},DT01"]  # fmt: skip
    upload = SimpleUploadedFile("people.csv", "\n".join(rows).encode())
    run_jobs(lambda: petra.post(reverse("imports:upload"), {
        "match": "email", "update": "on", "encoding": "utf-8", "date_format": "%Y-%m-%d",
        "upload": upload,
    }))  # fmt: skip

    document = json.loads(opened(b"".join(petra.get(url_of(zed)).streaming_content))[1][
        f"customer-{zed.pk}.json"])  # fmt: skip

    assert [event["summary"] for event in document["exports"]] == [
        "Exported 1 row of Customers as CSV: q “quixote”"
    ]
    assert [export["id"] for export in document["export_files"]] == [written.pk]
    assert [(row["file"], row["line"], row["row"]["email"]) for row in document["import_rows"]] == [
        ("people.csv", 3, zed.email)
    ]


def test_each_csv_is_its_parts_rows(answer, zed):
    document = json.loads(answer[f"customer-{zed.pk}.json"])
    for part in PARTS:
        rows = list(csv.DictReader(io.StringIO(answer[f"csv/{part}.csv"])))
        assert len(rows) == len(document[part]), part
    (row,) = csv.DictReader(io.StringIO(answer["csv/customer.csv"]))
    # A + followed by digits alone runs as nothing in a spreadsheet: written as it is.
    assert (row["email"], row["phone"]) == ("zebedee.quixote@example.com", "+14155550199")


def test_a_formula_in_a_csv_is_shown_as_text(petra, downtown):
    customer = make_customer(stores=[downtown], notes="=HYPERLINK(1)")

    _, files = opened(b"".join(petra.get(url_of(customer)).streaming_content))

    (row,) = csv.DictReader(io.StringIO(files["csv/customer.csv"]))
    assert row["notes"] == "'=HYPERLINK(1)"


def test_it_is_an_audit_event(petra, privacy_officer, answer, zed):
    event = AuditEvent.objects.filter(object_id=zed.pk, action="export").get()

    assert event.user == privacy_officer
    assert event.summary == "Data request: everything held on the customer, downloaded"


def test_it_needs_the_permission_and_the_customers_store(
    client, clerk, privacy_officer, zed, riverside
):
    client.force_login(clerk)
    assert client.get(url_of(zed)).status_code == 403
    elsewhere = make_customer(stores=[riverside])
    client.force_login(privacy_officer)  # holds Downtown alone
    assert client.get(url_of(elsewhere)).status_code == 404


def test_ops_write_the_same_zip(tmp_path, zed):
    output = tmp_path / "zed.zip"

    call_command("export_customer_data", "--customer", "ZEBEDEE.quixote@example.com",
                 "--output", str(output), stdout=io.StringIO())  # fmt: skip

    _, files = opened(output.read_bytes())
    document = json.loads(files[f"customer-{zed.pk}.json"])
    assert document["customer"][0]["email"] == "zebedee.quixote@example.com"
    event = AuditEvent.objects.filter(object_id=zed.pk, action="export").get()
    assert event.user_name == "manage.py export_customer_data"
    with pytest.raises(CommandError, match="No customer has the id or email"):
        call_command("export_customer_data", "--customer", "nobody@example.com",
                     "--output", str(output))  # fmt: skip
