"""Checking an import's rows by the customer form's own rules: the dry run.

Each row is mapped to the customer form's fields (a column named as in our export, or
mapped by the person), found or not by the match key, and validated by the customer
form's General and Address sections (``ImportRowForm``), with the row's stores and loyalty
checked as the form's other sections check them. The result says, row by row, whether it would be
created, updated or skipped, or every error: row, column, value and message.
"""

import copy
import datetime
import sqlite3
from dataclasses import dataclass, field

from django import forms
from django.db.models import CharField, F
from django.db.models.functions import Cast, Lower
from django.utils.html import strip_tags
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from backoffice.forms import PlainIntegerField
from backoffice.tables import FORMULA_STARTS
from customers.forms import CustomerFieldsForm, national_phone_region
from customers.models import HAS_EMAIL, Customer
from customers.tables import CustomerTable
from loyalty.models import MAX_POINTS
from stores.models import Store

MATCH_KEYS = {"id": "ID", "email": "email", "id_number": "customer ID number"}
# The export's columns that an import reads; the others (when created and updated, the
# visits the registers' sales count) are the system's own and are ignored.
SYSTEM_COLUMNS = ("created_at", "updated_at", "last_sale_at", "sale_count", "total_spent")
FIELDS = [name for name in CustomerTable.csv_header() if name not in SYSTEM_COLUMNS]
# What other systems and people call the fields, besides their names and the labels of the
# list's columns (the workbook export's header). Compared as ``header_key`` makes them.
OTHER_NAMES = {
    "customer_type": ["customer type"],
    "first_name": ["given name", "forename", "first"],
    "last_name": ["surname", "family name", "last"],
    "company_name": ["company", "business", "business name", "organisation", "organization"],
    "email": ["e-mail", "email address", "e-mail address", "mail"],
    "phone": ["phone number", "mobile", "mobile number", "mobile phone", "cell", "cell phone",
              "telephone", "tel"],
    "gender": ["sex"],
    "date_of_birth": ["dob", "birthday", "birth date", "birthdate"],
    "anniversary": ["first visit"],
    "id_number": ["id number"],
    "notes": ["note", "comments", "comment", "remarks"],
    "stores": ["store", "store code", "store codes", "shop", "location"],
    "loyalty_enrolled": ["enrolled", "loyalty member", "loyalty enrolled", "member"],
    "loyalty_balance": ["loyalty points", "points", "points balance", "balance (points)"],
    "address_line1": ["address", "address 1", "street", "street address"],
    "address_line2": ["address 2", "apt", "apartment", "suite", "unit"],
    "city": ["town"],
    "state": ["province", "region", "county", "state/province"],
    "zip_code": ["zip", "postcode", "post code", "postal code", "zipcode"],
}  # fmt: skip


def header_key(name):
    """A column's name as it is compared: letters and digits alone, in lower case, so that
    "E-mail", "e mail" and "EMAIL" are one name."""
    return "".join(character for character in name.casefold() if character.isalnum())


def names_of_fields():
    """{header key: field name, or "" for the system's own columns}."""
    labels = dict(zip(CustomerTable.export_columns(), CustomerTable.export_labels(), strict=True))
    names = {}
    for name in [*FIELDS, *SYSTEM_COLUMNS]:
        target = name if name in FIELDS else ""
        for known in (name, labels[name], *OTHER_NAMES.get(name, ())):
            names.setdefault(header_key(known), target)
    return names


FIELD_NAMES = names_of_fields()


def field_named(column):
    """The field a column's name names ("" for the system's own columns), or None."""
    return FIELD_NAMES.get(header_key(column))


class LentFields(dict):
    """A form's fields set up once for a whole import, lent to each row's form as they
    are: Django would copy every field for every form, a third of a row's time."""

    def __deepcopy__(self, memo):
        return dict(self)


class ImportRowForm(CustomerFieldsForm):
    """A row of a file as the customer form checks it: its General and Address sections
    (fields, clean methods and all) as one form, one row after another, fast:

    - Who holds an email comes from one lookup for a batch of rows (``email_holders``, by
      lower-case email), not a query per row.
    - ``lent_fields()`` sets the fields up once; each row's form borrows them
      (``fields=``). Which fields a row's customer type disables is the only state a form
      leaves on them, and it is reset for each row.
    - Countries and phone numbers are checked by their form fields alone, which apply the
      same rules as the model fields. The model field checks a country again by walking
      250 translated names, half a millisecond a country: more than the rest of a row's
      checking together; a phone number would be parsed a second time.
    """

    def __init__(self, *args, email_holders=None, fields=None, **kwargs):
        self.email_holders = email_holders or {}
        if fields is not None:
            for name, field in fields.items():
                field.disabled = self.base_fields[name].disabled
            self.base_fields = fields
        super().__init__(*args, **kwargs)

    @classmethod
    def lent_fields(cls):
        return LentFields(copy.deepcopy(cls.base_fields))

    def email_holder(self, email):
        holder = self.email_holders.get(email.lower())
        return holder if holder is not None and holder.pk != self.instance.pk else None

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() | CHECKED_BY_FORM_FIELDS


CHECKED_BY_FORM_FIELDS = {
    name
    for name in ImportRowForm._meta.fields
    if isinstance(Customer._meta.get_field(name), CountryField | PhoneNumberField)
}
# The file's fields that the form checks.
FORM_FIELDS = [name for name in FIELDS if name in ImportRowForm.base_fields]
# The fields as the mapping page offers them: by the customer form's labels.
FIELD_LABELS = {
    "id": "ID (of a customer here, to update)",
    "stores": "Stores (codes, e.g. DT01;RV02)",
    "loyalty_enrolled": "Enrolled in the loyalty programme",
    "loyalty_balance": "Loyalty balance (points)",
    **{name: str(ImportRowForm.base_fields[name].label) for name in FORM_FIELDS},
}
# Without these columns (named or mapped), a new customer cannot pass the form.
REQUIRED_COLUMNS = ("first_name", "last_name", "email", "stores")
DEFAULT_DATE_FORMAT = "%Y-%m-%d"
TRUE = {"true", "yes", "1", "y", "enrolled"}
FALSE = {"false", "no", "0", "n", "", "not enrolled"}


# The values that two rows of one file may not share: the field, and its name in errors.
UNREPEATABLE = (("email", "email address"), ("id_number", "customer ID number"))


@dataclass
class RowError:
    line: int
    column: str
    value: str
    message: str


@dataclass
class CheckedRow:
    line: int
    action: str  # "create", "update", "skip" or "error"
    values: dict = field(default_factory=dict)
    customer: Customer | None = None
    errors: list = field(default_factory=list)
    cells: list = field(default_factory=list)
    claims: dict = field(default_factory=dict)  # see RowChecker.check_batch(repeats=False)


def column_mapping(header, chosen=None):
    """{column index: field name} for the columns that name a field (or that ``chosen``
    maps, by column name, to one; "-" ignores a column), and the names of the columns
    neither named nor ignored."""
    chosen = chosen or {}
    mapping, unknown = {}, []
    for index, name in enumerate(header):
        target = chosen[name] if name in chosen else field_named(name)
        if target in FIELDS and target not in mapping.values():
            mapping[index] = target
        elif name.strip() and target not in ("", "-"):
            unknown.append(name)
    return mapping, unknown


def needs_mapping(header, chosen=None):
    """Whether someone must choose what the file's columns fill: some are unknown, or a
    new customer's required fields are not all there."""
    mapping, unknown = column_mapping(header, chosen)
    return bool(unknown) or not set(mapping.values()).issuperset(REQUIRED_COLUMNS)


def unneutralised(value):
    """A cell as typed before our export prefixed it with ' (a formula's first character)."""
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


class RowChecker:
    """Checks rows one after another, remembering what earlier rows claimed (an email or
    customer ID number twice in one file is an error on the later row)."""

    def __init__(
        self, header, *, match="email", update=True, mapping=None, date_format=None,
        phone_region=None, store_ids=None,
    ):  # fmt: skip
        """``store_ids`` are the stores of a person who sees those stores' customers only:
        rows may name only those stores, and find only those stores' customers (None: every
        store)."""
        if match not in MATCH_KEYS:
            raise ValueError(f"Unknown match key {match!r}.")
        self.header = header
        self.match, self.update = match, update
        self.mapping, self.unknown_columns = column_mapping(header, mapping)
        self.date_format = date_format or DEFAULT_DATE_FORMAT
        self.phone_region = phone_region
        self.fields = self.adapted(ImportRowForm.lent_fields())
        stores = Store.objects.values_list("pk", "code", "country")
        self.held_store_ids = None if store_ids is None else set(store_ids)
        self.stores = {
            code.upper(): pk
            for pk, code, _ in stores
            if self.held_store_ids is None or pk in self.held_store_ids
        }
        self.store_countries = {code.upper(): country for _, code, country in stores}
        self.seen = FirstSeen()

    def check(self, line, cells):
        """One row, checked on its own (a batch of one)."""
        return self.check_batch([(line, cells)])[0]

    def check_batch(self, numbered, *, repeats=True):
        """Rows ((line, cells) pairs) checked in order, with one lookup for the whole
        batch of the customers their match keys find and of who holds their emails,
        instead of queries for each row. ``repeats=False`` leaves out the check of values
        an earlier row had, for a part of a file checked on its own: each row's
        ``claims`` are what that check needs, made over the whole file afterwards."""
        prepared = [self.prepare(line, cells) for line, cells in numbered]
        values = [row.values for row in prepared if not row.errors]
        found = self.lookup(self.match, [row[self.match] for row in values if row.get(self.match)])
        holders = found if self.match == "email" else self.lookup(
            "email", [row["email"] for row in values if row.get("email")]
        )  # fmt: skip
        readable = [row for row in prepared if not row.errors]
        outside = self.in_other_stores(found.values())
        for row in readable:
            self.check_row(row, found, holders, outside)
        claiming = [row for row in readable if row.action != "skip"]
        if repeats:
            self.check_repeats(claiming)
        else:
            for row in claiming:
                row.claims = claims_of(row.values)
        for row in readable:
            if row.errors:
                row.action, row.customer = "error", None
        return prepared

    def prepare(self, line, cells):
        row = CheckedRow(line=line, action="error", cells=cells)
        if len(cells) > len(self.header):
            message = f"This row has {len(cells)} fields; the header has {len(self.header)}."
            row.errors.append(RowError(line, "", "", message))
            return row
        row.values = {
            name: unneutralised(cells[index].strip()) if index < len(cells) else ""
            for index, name in self.mapping.items()
        }
        key = row.values.get(self.match, "")
        if self.match == "id" and key and not (key.isascii() and key.isdigit()):
            row.errors.append(RowError(line, "id", key, "An ID is a whole number."))
        return row

    def finds_any(self, keys, emails):
        """Whether any of these match keys finds a customer, or any email is someone's."""
        if self.lookup(self.match, keys):
            return True
        return self.match != "email" and bool(self.lookup("email", emails))

    @staticmethod
    def lookup(key, wanted):
        """{key value (emails in lower case): live customer} for the ``wanted`` values."""
        if not wanted:
            return {}
        customers = Customer.objects.select_related("loyalty_account")
        if key == "email":
            lowered = {value.lower() for value in wanted}
            found = customers.annotate(key=Lower("email")).filter(HAS_EMAIL, key__in=lowered)
        elif key == "id":
            found = customers.annotate(key=Cast("pk", CharField())).filter(pk__in=set(wanted))
        else:
            found = customers.annotate(key=F("id_number")).filter(id_number__in=set(wanted))
        return {customer.key: customer for customer in found}

    def in_other_stores(self, customers):
        """The primary keys of ``customers`` that are none of the importing person's
        stores' (none, for a person who sees every store)."""
        pks = {customer.pk for customer in customers}
        if self.held_store_ids is None or not pks:
            return set()
        links = Customer.stores.through.objects.filter(
            customer_id__in=pks, store_id__in=self.held_store_ids
        )
        return pks - set(links.values_list("customer_id", flat=True))

    def check_row(self, row, found, holders, outside=frozenset()):
        values = row.values
        key = values.get(self.match, "")
        existing = found.get(key.lower() if self.match == "email" else key) if key else None
        if existing is not None and existing.pk in outside:
            message = (
                "This customer is another store's: search for them in the customer list and "
                "add them to your store first."
            )
            row.errors.append(RowError(row.line, self.match, key, message))
            return
        if existing is not None and not self.update:
            row.action, row.customer = "skip", existing
            return
        self.check_fields(values, existing, row, holders)
        row.action = "update" if existing else "create"
        row.customer = existing

    def check_fields(self, values, existing, row, holders):
        customer = existing or Customer()
        # The model's constraints (a unique email, a business's company name) are the
        # form's own checks too, which run here without a query per row; the database
        # still enforces them when the rows are written.
        customer.validate_constraints = lambda exclude=None: None
        data = {name: values[name] for name in FORM_FIELDS if name in values}
        if existing is not None:  # fields the file leaves out keep their stored values
            kept = ImportRowForm(instance=existing, fields=self.fields).initial
            # All the form writes, not only the export's columns: a tax ID is in none.
            data = {**{name: kept.get(name) or "" for name in ImportRowForm._meta.fields}, **data}
        region, why = self.phone_region_of(values, existing)
        form = ImportRowForm(
            data=data, instance=customer, fields=self.fields, email_holders=holders,
            phone_region=region, phone_region_why=why,
        )  # fmt: skip
        valid = form.is_valid()
        for name, messages in form.errors.items():
            for message in messages:
                row.errors.append(
                    RowError(row.line, name, values.get(name, ""), strip_tags(str(message)))
                )
        if "stores" in values or existing is None:
            values["stores"] = self.store_ids(values.get("stores", ""), row)
        else:  # a file without the column keeps the customer's stores
            values["stores"] = list(existing.stores.values_list("pk", flat=True))
        self.check_loyalty(values, row, existing)
        if valid:
            values["customer"] = customer

    def phone_region_of(self, values, existing):
        """(country, why) a row's national phone number is read in: the import's chosen
        country, else as the customer form reads it (its stores', its address's)."""
        if self.phone_region:
            return self.phone_region, "the country chosen for this import"
        codes = values.get("stores", "").split(";") if "stores" in values else []
        return national_phone_region(
            store_countries=[self.store_countries.get(code.strip().upper(), "") for code in codes],
            country=values.get("country", "") or (str(existing.country) if existing else ""),
        )

    def adapted(self, fields):
        """Dates in the file's one format."""
        for name in ("date_of_birth", "anniversary"):
            if name in fields:
                fields[name].input_formats = [self.date_format]
                fields[name].error_messages["invalid"] = (
                    f"Enter a date as {datetime.date(1990, 12, 31).strftime(self.date_format)} "
                    f"(the format {self.date_format})."
                )
        return fields

    def store_ids(self, codes, row):
        found = []
        for code in filter(None, (code.strip() for code in codes.split(";"))):
            if code.upper() not in self.stores:
                message = (
                    f"You do not hold the store {code}."
                    if code.upper() in self.store_countries
                    else f"No store has the code {code}."
                )
                row.errors.append(RowError(row.line, "stores", codes, message))
            else:
                found.append(self.stores[code.upper()])
        if not found and not row.errors:
            message = "Give at least one store code, e.g. DT01;RV02."
            row.errors.append(RowError(row.line, "stores", codes, message))
        return list(dict.fromkeys(found))  # a store named twice is one store

    def check_loyalty(self, values, row, existing):
        """Enrolment and balance. Without an enrolment column, a balance enrols the
        customer (a file's "Loyalty Points" once came in as no points at all), and a row
        without a balance leaves both as they are (None). A new customer outside the
        programme keeps the points a row gives (our export's customers who left it); one we
        have cannot have their points changed while outside it, which is an error rather
        than a change dropped."""
        if "loyalty_enrolled" not in values:
            if not values.get("loyalty_balance"):
                values["loyalty_enrolled"] = values["loyalty_balance"] = None
                return
            values["loyalty_enrolled"] = "true"
        enrolled = values["loyalty_enrolled"].lower()
        if enrolled not in TRUE | FALSE:
            message = "Write true or false."
            row.errors.append(RowError(row.line, "loyalty_enrolled", enrolled, message))
            return
        values["loyalty_enrolled"] = enrolled in TRUE
        balance = values.get("loyalty_balance", "")
        try:
            points = PlainIntegerField(min_value=0, max_value=MAX_POINTS, required=False).clean(
                balance
            )
        except forms.ValidationError:
            message = f"The balance is a whole number of points, from 0 to {MAX_POINTS:,}."
            row.errors.append(RowError(row.line, "loyalty_balance", balance, message))
            return
        values["loyalty_balance"] = points
        if existing is not None and not values["loyalty_enrolled"] and points is not None:
            account = getattr(existing, "loyalty_account", None)
            stored = account.balance if account else 0
            if points != stored:
                message = (
                    f"This customer is not in the loyalty programme, so their balance "
                    f"({stored:,}) cannot change: write true in the enrolment column, or "
                    "leave the balance as it is."
                )
                row.errors.append(RowError(row.line, "loyalty_balance", balance, message))

    def check_repeats(self, rows):
        """An email or customer ID number that an earlier row of the file has (in any
        case) is an error on the later row."""
        by_line = {row.line: row for row in rows}
        for error in self.seen.repeats([(row.line, claims_of(row.values)) for row in rows]):
            by_line[error.line].errors.append(error)


def claims_of(values):
    """What a row has that no later row of the file may have: {kind: value as written}."""
    return {name: values[name] for name, _ in UNREPEATABLE if values.get(name)}


class FirstSeen:
    """The row each value of a kind (emails, ID numbers) was first seen on, kept in a
    scratch SQLite table on disk (deleted when closed): a million rows' values held in
    memory took 200 MB."""

    def __init__(self):
        self.database = sqlite3.connect("")  # "": a private temporary database on disk
        self.database.execute(
            "CREATE TABLE seen (kind TEXT, value TEXT, line INTEGER, PRIMARY KEY (kind, value))"
        )

    def first_lines(self, kind, claims):
        """{value: the line it was first seen on} for ``claims``, (value, line) pairs in
        the file's order; the new ones are remembered."""
        values = list(dict.fromkeys(value for value, _ in claims))
        if not values:
            return {}
        placeholders = ", ".join("?" * len(values))
        firsts = dict(
            self.database.execute(
                f"SELECT value, line FROM seen WHERE kind = ? AND value IN ({placeholders})",
                [kind, *values],
            )
        )
        new = [
            (kind, value, line) for value, line in claims if firsts.setdefault(value, line) == line
        ]
        self.database.executemany("INSERT INTO seen VALUES (?, ?, ?)", new)
        return firsts

    def repeats(self, claimed):
        """The errors of the rows, ``claimed``: (line, claims) pairs in the file's order,
        whose claims an earlier row had (in any case). The new ones are remembered."""
        found = []
        for name, label in UNREPEATABLE:
            claims = [(line, claims[name]) for line, claims in claimed if name in claims]
            firsts = self.first_lines(name, [(value.lower(), line) for line, value in claims])
            for line, value in claims:
                if (first := firsts[value.lower()]) != line:
                    message = f"The same {label} as row {first}."
                    found.append(RowError(line, name, value, message))
        return found
