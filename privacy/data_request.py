"""A data request (GDPR articles 15 and 20): everything held on one customer, as one JSON
document and one CSV per part, and their photo, in a zip.

Each part is a queryset of the rows held about the customer; every concrete field of each
row is written (foreign keys as the id they hold), so that a field added to a model is in
the next answer without a change here. Three parts are found by what names them
(``privacy.copies``): the lists exported with a search for them (``exports``), the files
written in the background that hold them (``export_files``), and their rows in imports
(``import_rows``).
"""

import csv
import datetime
import io
import json
import zipfile
from decimal import Decimal
from pathlib import PurePath

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from backoffice.models import AuditEvent
from backoffice.tables import neutralise
from house_accounts.models import HouseAccount, HouseAccountEntry
from loyalty.models import LoyaltyAccount, LoyaltyCard, LoyaltyLedgerEntry
from memberships.models import MembershipAccount, MembershipEntry, MembershipSeat
from sales.models import Sale

from .copies import Traces, exports_naming, import_rows


def parts_of(customer):
    """{part name: queryset} of what is held on ``customer``."""
    about_them = Q(
        content_type=ContentType.objects.get_for_model(customer), object_id=customer.pk
    ) | Q(about_customer=customer.pk)
    return {
        "customer": type(customer).all_objects.filter(pk=customer.pk),
        "stores": customer.stores.order_by("code"),
        "consent_history": customer.consent_events.order_by("created_at", "pk"),
        "loyalty_account": LoyaltyAccount.objects.filter(customer=customer),
        "loyalty_ledger": LoyaltyLedgerEntry.objects.filter(account__customer=customer),
        "loyalty_cards": LoyaltyCard.objects.filter(customer=customer),
        "sales": Sale.objects.filter(customer=customer).order_by("occurred_at", "pk"),
        "memberships": MembershipAccount.objects.filter(customer=customer),
        "membership_seats": MembershipSeat.objects.filter(customer=customer),
        "membership_entries": MembershipEntry.objects.filter(account__customer=customer),
        "house_accounts": HouseAccount.objects.filter(customer=customer),
        "house_account_entries": HouseAccountEntry.objects.filter(account__customer=customer),
        "audit_events": AuditEvent.objects.filter(about_them).order_by("created_at", "pk"),
    }


def plain(value):
    """A field's value as JSON holds it: text, numbers, booleans, null, or structures."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, PhoneNumber):
        return value.as_e164
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)  # countries (their code), UUIDs


def row_of(instance):
    return {
        field.attname: plain(getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
    }


def data_of(customer):
    """{part name: [row, ...]}: the JSON document's content."""
    data = {name: [row_of(row) for row in rows] for name, rows in parts_of(customer).items()}
    traces = Traces.of(customer)
    export_files, exports = exports_naming(traces)
    data["exports"] = [row_of(event) for event in exports]
    data["export_files"] = [row_of(export) for export in export_files]
    data["import_rows"] = import_rows(traces)
    return data


def csv_text(rows):
    """A part's rows as CSV, spreadsheet formulas neutralised; structures as JSON."""
    out = io.StringIO()
    if not rows:
        return ""
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                name: neutralise(json.dumps(value) if isinstance(value, list | dict) else value)
                for name, value in row.items()
            }
        )
    return out.getvalue()


def write_zip(customer, out):
    """Write the data request's zip to the binary file ``out``."""
    data = data_of(customer)
    document = {
        "generated_at": timezone.now().isoformat(),
        "customer_id": customer.pk,
        **data,
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            f"customer-{customer.pk}.json", json.dumps(document, indent=2, ensure_ascii=False)
        )
        for name, rows in data.items():
            archive.writestr(f"csv/{name}.csv", csv_text(rows))
        if photo := photo_of(customer):
            archive.writestr(f"photo/{PurePath(customer.photo.name).name}", photo)


def photo_of(customer):
    """The photo file's bytes, or None: none, or its file is gone."""
    if not customer.photo:
        return None
    try:
        with customer.photo.open("rb") as photo:
            return photo.read()
    except OSError:
        return None


def filename_of(customer):
    return f"customer-{customer.pk}-data-{timezone.localdate():%Y%m%d}.zip"
