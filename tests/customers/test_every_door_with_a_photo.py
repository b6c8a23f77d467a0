"""A customer who has a photo is changed through every door that writes customers: the
customer form, a register's PATCH, an update import on the pages (its dry run, then the
import) and the import_customers command. Each door writes every field it has, leaves the
others and the photo as they were, and never answers a 500: the form the API and the
imports share has no photo field, and reading the photo's address once broke all three."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from phonenumber_field.phonenumber import PhoneNumber

from customers.models import Customer
from customers.tables import CustomerTable
from imports.models import CustomerImport
from registers.services import register_create
from tests.factories import OPS, image_upload, make_customer
from tests.forms import form_data
from tests.tills import till_client

# Every field a customer of each type has, as first saved; then as each door changes it.
SAVED = {
    "first_name": "Ada", "last_name": "Byron", "email": "ada@example.com",
    "phone": "+16175550123", "email_consent": "unsubscribed", "sms_consent": "subscribed",
    "anniversary": "2019-03-01", "gate_code": "1234", "id_number": "AB-1", "notes": "Tea",
    "address_line1": "1 Main St", "address_line2": "Apt 1", "city": "Cambridge",
    "state": "MA", "zip_code": "02139", "country": "US",
}  # fmt: skip
SAVED_BY_TYPE = {
    "personal": {"gender": "female", "date_of_birth": "1985-12-10", "nationality": "US"},
    "business": {"company_name": "Engines Ltd", "tax_id": "US-1", "website": "https://a.example"},
}
CHANGED = {
    "first_name": "Augusta", "last_name": "King", "email": "augusta@example.org",
    "phone": "+16175550188", "email_consent": "subscribed", "sms_consent": "unsubscribed",
    "anniversary": "2020-05-04", "gate_code": "4321", "id_number": "AK-1815",
    "notes": "Prefers mornings", "address_line1": "12 Ockham Road", "address_line2": "Flat 2",
    "city": "London", "state": "LDN", "zip_code": "W1 1AA", "country": "GB",
}  # fmt: skip
CHANGED_BY_TYPE = {
    "personal": {"gender": "other", "date_of_birth": "1990-01-31", "nationality": "GB"},
    "business": {
        "company_name": "Analytical Ltd",
        "tax_id": "GB-2",
        "website": "https://b.example",
    },  # fmt: skip
}
# What a register may send of them, and what an import reads (our export's columns).
API_FIELDS = ["first_name", "last_name", "company_name", "email", "phone", "email_consent",
              "sms_consent", "date_of_birth", "id_number", "notes", "address_line1",
              "address_line2", "city", "state", "zip_code", "country"]  # fmt: skip
IMPORT_FIELDS = [name for name in CustomerTable.csv_header() if name in {*CHANGED, *SAVED_BY_TYPE[
    "personal"], *SAVED_BY_TYPE["business"]}]  # fmt: skip


def as_text(value):
    if value is None:
        return ""
    if isinstance(value, PhoneNumber):
        return value.as_e164
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


@pytest.fixture(params=["personal", "business"])
def pictured(request, downtown):
    """A customer of each type with every field filled, and a photo."""
    kind = request.param
    return make_customer(
        customer_type=kind, stores=[downtown], photo=image_upload(), **SAVED,
        **SAVED_BY_TYPE[kind],
    )  # fmt: skip


def changes_for(customer, names=None):
    """The changed value of every field of ``customer``'s type (of ``names`` only)."""
    changes = {**CHANGED, **CHANGED_BY_TYPE[customer.customer_type]}
    return {name: value for name, value in changes.items() if names is None or name in names}


def assert_written_photo_kept(customer, written):
    """``written`` is stored, every other field is as first saved, and the photo stays."""
    stored = Customer.objects.get(pk=customer.pk)
    expected = {**SAVED, **SAVED_BY_TYPE[customer.customer_type], **written}
    assert {name: as_text(getattr(stored, name)) for name in expected} == expected
    assert stored.photo.name == customer.photo.name
    assert Path(stored.photo.path).exists()


def test_the_customer_form(clerk_client, pictured):
    url = reverse("customers:edit", args=[pictured.pk])
    data = form_data(clerk_client.get(url), "customer-form")
    data.update(changes_for(pictured))

    response = clerk_client.post(url, data)

    assert response.status_code == 302
    assert_written_photo_kept(pictured, changes_for(pictured))


def test_a_registers_patch_recording_consent_too(pictured, downtown):
    _, key = register_create(name="Front desk", store=downtown, actor=OPS)
    till = till_client(key)
    url = reverse("api_customer", args=[pictured.pk])
    changes = changes_for(pictured, API_FIELDS)

    response = till.patch(url, {**changes, "version": pictured.version}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["email_consent"] == "subscribed"
    assert_written_photo_kept(pictured, changes)


def export_changed(customer):
    """Our export of ``customer``, with every field an import reads changed."""
    rows = list(csv.DictReader(CustomerTable.csv_lines(Customer.objects.filter(pk=customer.pk))))
    rows[0].update(changes_for(customer, IMPORT_FIELDS))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_an_update_import_on_the_pages_checked_then_written(manager_client, pictured, run_jobs):
    upload = SimpleUploadedFile("customers.csv", export_changed(pictured).encode())
    options = {"match": "id", "update": "on", "encoding": "utf-8", "date_format": "%Y-%m-%d"}

    run_jobs(lambda: manager_client.post(reverse("imports:upload"), {**options, "upload": upload}))
    job = CustomerImport.objects.get()
    assert (job.status, job.to_update, job.error_count) == ("checked", 1, 0)
    assert_written_photo_kept(pictured, {})  # the dry run writes nothing

    run_jobs(lambda: manager_client.post(reverse("imports:commit", args=[job.pk])))

    job.refresh_from_db()
    assert (job.status, job.updated) == ("done", 1)
    assert_written_photo_kept(pictured, changes_for(pictured, IMPORT_FIELDS))


def test_the_import_command_dry_run_then_import(pictured, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(export_changed(pictured))

    def run(*options):
        out = io.StringIO()
        call_command("import_customers", str(path), "--match", "id", "--update", *options,
                     stdout=out, stderr=io.StringIO())  # fmt: skip
        return out.getvalue()

    assert run("--dry-run") == "Dry run: 0 to create, 1 to update, 0 to skip, 0 with errors.\n"
    assert run() == "Imported: 0 created, 1 updated, 0 skipped.\n"
    assert_written_photo_kept(pictured, changes_for(pictured, IMPORT_FIELDS))
