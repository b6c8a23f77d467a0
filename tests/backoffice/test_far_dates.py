"""Dates at the calendar's ends (the attacker's second visit, finding 13): 9999-12-31 as
the end of an audit search or a statement means "to the end", and 0001-01-01 "from the
beginning", in any time zone; a membership issued on 9999-12-31 is refused next to its
field. Each was a 500 (OverflowError)."""

import pytest
from django.urls import reverse

from backoffice.models import AuditEvent
from memberships.models import MembershipAccount
from tests.factories import make_customer, make_house_account, make_plan
from tests.forms import field_errors

pytestmark = pytest.mark.django_db

FAR_DAYS = [
    ("0001-01-01", "9999-12-31"),
    ("9999-12-31", "9999-12-31"),
    ("0001-01-01", "0001-01-01"),
]


@pytest.fixture(params=["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def time_zone(request, settings):
    """Stores at UTC+14 and UTC-11, the furthest from UTC."""
    settings.TIME_ZONE = request.param


@pytest.mark.parametrize(("first", "last"), FAR_DAYS)
def test_the_audit_trail(manager_client, downtown, time_zone, first, last):
    make_customer(first_name="Ada", stores=[downtown])

    response = manager_client.get(reverse("audit"), {"date_from": first, "date_to": last})

    assert response.status_code == 200
    shown = len(response.context["table"].rows)
    assert shown == (AuditEvent.objects.count() if first < "2000" < last else 0)


@pytest.mark.parametrize(("first", "last"), FAR_DAYS)
def test_a_house_account_statement(clerk_client, downtown, time_zone, first, last):
    account = make_house_account(make_customer(stores=[downtown]), opening_balance="40.00")

    response = clerk_client.get(
        reverse("house_accounts:statement", args=[account.pk]),
        {"date_from": first, "date_to": last},
    )

    assert response.status_code == 200
    if first == last:
        assert "Opening balance" in response.content.decode()
    else:
        assert field_errors(response, "date_from") == ["A statement covers at most ten years."]


@pytest.mark.parametrize("issued", ["9999-12-31", "0001-01-01"])
def test_a_membership_issued_at_the_calendars_end(manager_client, downtown, issued):
    ada = make_customer(stores=[downtown])

    response = manager_client.post(
        reverse("memberships:account_create"),
        {"customer": ada.pk, "plan": make_plan().pk, "card_number": "M1", "issue_date": issued},
    )

    assert field_errors(response, "issue_date")[0].startswith("Enter an issue date from 1900-01-01")
    assert not MembershipAccount.objects.exists()
