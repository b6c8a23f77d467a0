"""The import template's two examples imported with every column, and without each of the
optional ones in turn (the store manager's second hour, point 4): whatever columns a file
has, what it holds arrives, and nothing it holds is dropped without an error. A balance
without an enrolment column enrols the customer."""

import csv
import io

import pytest
from django.urls import reverse

from customers.models import Customer
from imports import pipeline
from imports.checking import REQUIRED_COLUMNS
from tests.factories import make_store

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
    pipeline.write(path, path.name, pipeline.Options(), user=None)
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
