"""The dry run: every row checked by the customer form's rules, each error on its row and
column, and our own export read back as it was written."""

import pytest
from django.core.management import call_command
from django.db.models import CharField

from customers.models import Customer
from customers.tables import CustomerTable
from imports.checking import FIELDS, RowChecker
from imports.reading import open_table
from tests.factories import make_customer, remove_every_customer

pytestmark = pytest.mark.django_db
MAX = 1_000_000_000  # points, a balance's ceiling
NO_COUNTRY = (
    "Enter a valid phone number starting with + and the country code, e.g. +1 212-555-2368: "
    "no country is known to read a national number in (tick a store that has one, or choose "
    "the country of the address)."
)

HEADER = (
    "first_name,last_name,email,phone,customer_type,company_name,date_of_birth,stores,"
    "loyalty_enrolled,loyalty_balance,id_number"
)


def checked(tmp_path, text, **options):
    path = tmp_path / "customers.csv"
    path.write_text(text)
    table = open_table(path, name="customers.csv")
    checker = RowChecker(table.header, **options)
    return [checker.check(line, cells) for line, cells in table.rows]


def test_our_own_export_reads_back_as_valid_rows(tmp_path, db):
    from io import StringIO

    call_command("seed_demo", customers=50, stdout=StringIO())
    exported = "".join(CustomerTable.csv_lines(Customer.objects.order_by("pk")))
    remove_every_customer()

    rows = checked(tmp_path, exported, match="email")

    assert [row.errors for row in rows if row.errors] == []
    assert [row.action for row in rows] == ["create"] * 50


def test_a_file_with_ten_kinds_of_error_reports_each_on_its_row(tmp_path, downtown):
    make_customer(email="taken@example.com", first_name="Taken")
    rows = checked(tmp_path, "\n".join([
        HEADER,
        "Ada,Lovelace,ada@example.com,,personal,,1990-12-31,DT01,true,10,",       # 2: fine
        ",Nameless,n@example.com,,,,,DT01,,,",                                      # 3: first name
        "Bob,Bad,not-an-email,,,,,DT01,,,",                                         # 4: email
        "Cy,Phone,cy@example.com,12345,,,,DT01,,,",                                 # 5: phone
        "Di,Future,di@example.com,,,,2999-01-01,DT01,,,",                           # 6: future date
        "Ed,Format,ed@example.com,,,,12/31/1990,DT01,,,",                           # 7: date format
        "Fay,Corp,fay@example.com,,business,,,DT01,,,",                             # 8: company
        "Gus,Store,gus@example.com,,,,,XX99,,,",                                    # 9: store code
        "Hal,Points,hal@example.com,,,,,DT01,true,-5,",                             # 10: balance
        "Ada,Again,ADA@example.com,,,,,DT01,,,",                                    # 11: repeat
        "Ivy,Extra,ivy@example.com,,,,,DT01,,,,too,many",                           # 12: fields
    ]) + "\n", match="id_number")  # fmt: skip

    errors = {row.line: [(e.column, e.message) for e in row.errors] for row in rows if row.errors}
    assert rows[0].action == "create"
    assert errors == {
        3: [("first_name", "This field is required.")],
        4: [("email", "Enter a valid email address.")],
        5: [("phone", NO_COUNTRY)],
        6: [("date_of_birth", "This date cannot be in the future.")],
        7: [("date_of_birth", "Enter a date as 1990-12-31 (the format %Y-%m-%d).")],
        8: [("company_name", "A business customer needs a company name.")],
        9: [("stores", "No store has the code XX99.")],
        10: [("loyalty_balance", f"The balance is a whole number of points, from 0 to {MAX:,}.")],
        11: [("email", "The same email address as row 2.")],
        12: [("", "This row has 13 fields; the header has 11.")],
    }  # fmt: skip


def test_a_chosen_date_format_reads_other_dates(tmp_path, downtown):
    rows = checked(tmp_path, f"{HEADER}\nEd,Format,ed@example.com,,,,12/31/1990,DT01,,,\n",
                   date_format="%m/%d/%Y")  # fmt: skip

    assert rows[0].action == "create"
    assert str(rows[0].values["customer"].date_of_birth) == "1990-12-31"


def test_a_match_updates_or_is_skipped_as_chosen(tmp_path, downtown):
    ada = make_customer(email="ada@example.com", first_name="Ada", city="London")
    text = f"{HEADER}\nAda,King,ADA@example.com,,,,,DT01,,,\n"

    updated = checked(tmp_path, text, match="email", update=True)[0]
    skipped = checked(tmp_path, text, match="email", update=False)[0]

    assert (updated.action, updated.customer, updated.values["customer"].city) == (
        "update",
        ada,
        "London",
    )
    assert (skipped.action, skipped.customer) == ("skip", ada)


def test_the_apostrophe_our_export_puts_before_a_formula_is_removed(tmp_path, downtown):
    rows = checked(tmp_path, f"{HEADER}\n'=Ada,'-Lovelace,ada@example.com,,,,,DT01,,,\n")

    assert (rows[0].values["first_name"], rows[0].values["last_name"]) == ("=Ada", "-Lovelace")


def test_each_row_is_checked_afresh_whatever_the_rows_before_it(tmp_path, downtown):
    """A business row ignores the personal fields; the personal row after it keeps them,
    and an unknown country is an error on its own row only."""
    header = (
        "first_name,last_name,email,customer_type,company_name,gender,nationality,country,stores"
    )
    rows = checked(tmp_path, "\n".join([
        header,
        "Bo,Corp,bo@example.com,business,Bo Ltd,male,FR,GB,DT01",
        "Ada,Lovelace,ada@example.com,personal,,female,GB,GB,DT01",
        "Cy,Nowhere,cy@example.com,personal,,,XX,ZZ,DT01",
        "Di,Paris,di@example.com,personal,,,FR,FR,DT01",
    ]) + "\n")  # fmt: skip

    business, personal, unknown, last = rows
    assert (business.values["customer"].gender, business.values["customer"].nationality) == ("", "")
    assert (personal.values["customer"].gender, personal.values["customer"].nationality) == (
        "female",
        "GB",
    )
    assert [(error.column, error.value) for error in unknown.errors] == [
        ("nationality", "XX"),
        ("country", "ZZ"),
    ]
    assert (last.action, last.values["customer"].country) == ("create", "FR")


def test_national_phone_numbers_are_read_in_the_chosen_country(tmp_path, downtown):
    text = "first_name,last_name,email,phone,stores\nAda,L,ada@example.com,(512) 555-0199,DT01\n"

    (american,) = checked(tmp_path, text, phone_region="US")
    (nowhere,) = checked(tmp_path, text)

    assert american.values["customer"].phone.as_e164 == "+15125550199"
    assert [(error.column, error.value) for error in nowhere.errors] == [
        ("phone", "(512) 555-0199")
    ]


def test_every_limit_of_the_database_is_checked_by_the_dry_run(tmp_path, downtown):
    """A value past a column's limit is a row error, never a database error when written:
    each text column one character too long, and a balance past MAX_POINTS."""
    limited = {
        name: Customer._meta.get_field(name).max_length
        for name in FIELDS
        if name in {field.name for field in Customer._meta.fields}
        and isinstance(Customer._meta.get_field(name), CharField)
        and not Customer._meta.get_field(name).choices
    }
    assert {"first_name", "email", "id_number", "zip_code"} <= set(limited)
    good = {"first_name": "Ada", "last_name": "L", "email": "ada@example.com", "stores": "DT01",
            "loyalty_enrolled": "true"}  # fmt: skip
    header = [*good, "customer_type", *limited, "loyalty_balance"]
    rows = []
    for number, (name, length) in enumerate(limited.items()):
        values = {**good, "email": f"ada{number}@example.com", name: "x" * (length + 1)}
        if name in ("company_name", "website"):  # a business's fields
            values["customer_type"] = "business"
        if name == "email":
            values[name] = "a" * (length - 11) + "@example.com"
        rows.append([values.get(column, "") for column in header])
    rows.append([*good.values(), "", *[""] * len(limited), "3000000000"])
    text = "\n".join(",".join(row) for row in [header, *rows]) + "\n"

    checked_rows = checked(tmp_path, text)

    columns = [{error.column for error in row.errors} for row in checked_rows]
    assert columns == [{name} for name in limited] + [{"loyalty_balance"}]
    assert checked_rows[-1].errors[0].message == (
        "The balance is a whole number of points, from 0 to 1,000,000,000."
    )


def test_a_row_national_number_is_read_as_the_customer_form_reads_it(tmp_path, db):
    """Without a chosen country, a row's stores' country, else its address's (the store
    manager's second hour, point 1); a chosen country comes first."""
    from tests.factories import make_store

    make_store("Austin", code="AU01", country="US")
    make_store("London", code="LN01", country="GB")
    text = (
        "first_name,last_name,email,phone,stores,country\n"
        "Ada,L,ada@example.com,(512) 555-0199,AU01,\n"
        "Bo,M,bo@example.com,020 7946 0958,AU01;LN01,GB\n"
    )

    by_stores = checked(tmp_path, text)
    chosen = checked(tmp_path, text, phone_region="GB")

    assert [str(row.values["customer"].phone.as_e164) for row in by_stores] == [
        "+15125550199", "+442079460958",
    ]  # fmt: skip
    assert (
        chosen[0]
        .errors[0]
        .message.startswith(
            "Enter a valid phone number. Without + and a country code it is read as a number of "
            "United Kingdom (the country chosen for this import)"
        )
    )
