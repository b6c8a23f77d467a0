"""The import template's two examples imported with every column, and without each of the
optional ones in turn (the store manager's second hour, point 4): whatever columns a file
has, what it holds arrives, and nothing it holds is dropped without an error. A balance
without an enrolment column enrols the customer."""

import csv
import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from customers.models import Customer
from imports import pipeline
from imports.checking import REQUIRED_COLUMNS
from loyalty.services import loyalty_enrol
from tests.factories import OPS, make_customer, make_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(manager_client, downtown):
    make_store("Riverside", code="RV02")
    response = manager_client.get(reverse("imports:template"))
    return list(csv.reader(io.StringIO(response.content.decode())))


def imported(tmp_path, rows):
    path = tmp_path / "customers.csv"
    with path.open("w", newline="") as file:
        csv.writer(file).writerows(rows)
    findings = pipeline.dry_run(path, path.name, pipeline.Options())
    assert findings.errors == []
    pipeline.write(path, path.name, pipeline.Options(), actor=OPS)
    return {customer.first_name: customer for customer in Customer.objects.all()}


def loyalty_of(customer):
    account = getattr(customer, "loyalty_account", None)
    return (account.enrolled, account.balance) if account else (False, None)


def test_every_column_of_the_template_arrives(template, tmp_path):
    customers = imported(tmp_path, template)

    ada, grace = customers["Ada"], customers["Grace"]
    assert (ada.email, ada.phone.as_e164, str(ada.date_of_birth), ada.city, ada.country.code) == (
        "ada@example.com", "+442079460958", "1990-12-10", "London", "GB",
    )  # fmt: skip
    assert (grace.company_name, grace.state) == ("Hopper Compilers", "VA")
    assert sorted(grace.stores.values_list("code", flat=True)) == ["DT01", "RV02"]
    assert (loyalty_of(ada), loyalty_of(grace)) == ((True, 120), (False, None))


@pytest.mark.parametrize("left_out", ["loyalty_enrolled", "loyalty_balance", "phone", "country"])
def test_without_an_optional_column_the_others_still_arrive(template, tmp_path, left_out):
    header = template[0]
    kept = [index for index, name in enumerate(header) if name != left_out]

    customers = imported(tmp_path, [[row[index] for index in kept] for row in template])

    ada = customers["Ada"]
    assert ada.email == "ada@example.com" and ada.city == "London"
    if left_out == "loyalty_balance":
        assert loyalty_of(ada) == (True, 0)
    else:  # without the enrolment column, the balance enrols Ada with her 120 points
        assert loyalty_of(ada) == (True, 120)
    assert loyalty_of(customers["Grace"]) == (False, None)


def test_each_optional_column_can_be_left_out(template, tmp_path):
    """Every column but the four a new customer needs (and a business's company name, which
    the second example is) may be missing from a file."""
    header = template[0]
    needed = {*REQUIRED_COLUMNS, "company_name"}
    for left_out in [name for name in header if name not in needed]:
        kept = [index for index, name in enumerate(header) if name != left_out]
        path = tmp_path / f"without-{left_out}.csv"
        with path.open("w", newline="") as file:
            csv.writer(file).writerows([[row[index] for index in kept] for row in template])
        findings = pipeline.dry_run(path, path.name, pipeline.Options())
        assert (left_out, findings.errors, findings.counts["create"]) == (left_out, [], 2)


def test_a_new_customer_outside_the_programme_keeps_the_points_of_the_row(downtown, tmp_path):
    """Our export writes "false" and the balance kept for a customer who left the
    programme: imported, they are outside it with those points, in the ledger."""
    customers = imported(tmp_path, [
        ["first_name", "last_name", "email", "stores", "loyalty_enrolled", "loyalty_balance"],
        ["Lena", "Left", "lena@example.com", "DT01", "false", "300"],
    ])  # fmt: skip

    lena = customers["Lena"]
    assert loyalty_of(lena) == (False, 300)
    assert list(lena.loyalty_account.entries.values_list("delta", "reason")) == [(300, "import")]
    assert lena.loyalty_points is None  # the list's copy, empty outside the programme
    call_command("check_balances", stdout=StringIO())


def test_the_points_of_a_customer_outside_the_programme_are_not_changed_silently(
    downtown, tmp_path
):
    make_customer(email="lena@example.com", stores=[downtown], loyalty_balance=100)
    loyalty_enrol(customer=Customer.objects.get(), enrolled=False, actor=OPS)
    changed, kept = tmp_path / "changed.csv", tmp_path / "kept.csv"
    changed.write_text("email,loyalty_enrolled,loyalty_balance\nlena@example.com,false,250\n")
    kept.write_text("email,loyalty_enrolled,loyalty_balance\nLENA@example.com,false,100\n")

    refused = pipeline.dry_run(changed, changed.name, pipeline.Options(update=True))
    accepted = pipeline.dry_run(kept, kept.name, pipeline.Options(update=True))

    assert [(error.line, error.column) for error in refused.errors] == [(2, "loyalty_balance")]
    assert "not in the loyalty programme, so their balance (100) cannot change" in (
        refused.errors[0].message
    )
    assert (accepted.errors, accepted.counts["update"]) == ([], 1)
