"""A person grants only within the stores they hold (issue 31, High 4): a manager of
Riverside reaches the people who share Riverside with them, offers and gives Riverside
alone, never takes away a store they do not hold, and does not set their own stores.
Granting the rest needs ``customers.view_all_stores``. Each rule is proved through the
Staff page and by calling ``stores.services`` directly."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from backoffice.models import AuditEvent
from stores.actors import OutOfScope
from stores.services import staff_in_scope, staff_stores_set, stores_held_by
from tests.factories import make_store, make_user
from tests.forms import field_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def uptown(db):
    return make_store("Uptown", code="UP03")


@pytest.fixture
def dora(downtown):
    """Dora, a clerk of Downtown alone: she shares no store with Rhea."""
    return make_user("dora", groups=["Store staff"], stores=[downtown], first_name="Dora")


@pytest.fixture
def flo(downtown, riverside):
    """Flo, a clerk who works at Downtown and Riverside."""
    return make_user("flo", groups=["Store staff"], stores=[downtown, riverside], first_name="Flo")


def held(user):
    return [store.code for store in stores_held_by(user)]


def stores_url(person):
    return reverse("staff:stores", kwargs={"pk": person.pk})


def offered(response):
    """The stores the form offers, as the ticked boxes' values."""
    values = re.findall(r'<input[^>]*name="stores"[^>]*value="(\d+)"', response.text)
    return sorted(int(value) for value in values)


class TestTheStaffPage:
    def test_a_one_store_manager_is_offered_only_the_store_they_hold(
        self, rhea_client, cashier, riverside, downtown, uptown
    ):
        assert offered(rhea_client.get(stores_url(cashier))) == [riverside.pk]

    def test_giving_a_cashier_every_store_is_refused_and_changes_nothing(
        self, rhea_client, cashier, riverside, downtown, uptown
    ):
        response = rhea_client.post(
            stores_url(cashier), {"stores": [riverside.pk, downtown.pk, uptown.pk]}
        )

        assert response.status_code == 200
        (error,) = field_errors(response, "stores")
        assert error.endswith("is not one of the available choices.")
        assert held(cashier) == ["RV02"]
        assert not AuditEvent.objects.filter(object_id=cashier.pk).exists()

    def test_taking_riverside_away_keeps_the_store_they_do_not_hold(self, rhea_client, flo):
        response = rhea_client.post(stores_url(flo), {}, follow=True)

        assert "Flo holds DT01." in response.text
        assert held(flo) == ["DT01"]

    def test_staff_who_share_none_of_their_stores_are_not_listed_and_do_not_exist(
        self, rhea_client, rhea, cashier, flo, dora, manager, downtown
    ):
        table = rhea_client.get(reverse("staff:list")).context["table"]

        assert sorted(row.record.username for row in table.rows) == ["cal", "flo", "rhea"]
        assert rhea_client.get(stores_url(dora)).status_code == 404
        assert rhea_client.post(stores_url(dora), {"stores": []}).status_code == 404
        assert rhea_client.get(stores_url(manager)).status_code == 404
        assert held(dora) == ["DT01"]

    def test_a_one_store_manager_may_not_set_their_own_stores(self, rhea_client, rhea):
        assert rhea_client.get(stores_url(rhea)).status_code == 403
        assert rhea_client.post(stores_url(rhea), {"stores": []}).status_code == 403
        assert held(rhea) == ["RV02"]

    def test_a_chain_wide_manager_gives_any_store_to_anyone_themselves_included(
        self, manager_client, manager, cashier, downtown, riverside, uptown
    ):
        assert offered(manager_client.get(stores_url(cashier))) == sorted(
            [downtown.pk, riverside.pk, uptown.pk]
        )
        manager_client.post(stores_url(cashier), {"stores": [downtown.pk, uptown.pk]})
        manager_client.post(stores_url(manager), {"stores": [uptown.pk]})

        assert held(cashier) == ["DT01", "UP03"]
        assert held(manager) == ["UP03"]


class TestTheService:
    def test_a_store_the_actor_does_not_hold_is_out_of_scope_and_nothing_is_written(
        self, rhea, cashier, riverside, downtown
    ):
        with pytest.raises(OutOfScope):
            staff_stores_set(user=cashier, stores=[riverside, downtown], actor=rhea)

        assert held(cashier) == ["RV02"]
        assert not AuditEvent.objects.filter(object_id=cashier.pk).exists()

    def test_a_store_the_actor_does_not_hold_is_never_taken_away(self, rhea, flo):
        staff_stores_set(user=flo, stores=[], actor=rhea)

        assert held(flo) == ["DT01"]

    def test_a_one_store_manager_setting_their_own_stores_is_refused(self, rhea, riverside):
        with pytest.raises(PermissionDenied):
            staff_stores_set(user=rhea, stores=[], actor=rhea)

        assert held(rhea) == ["RV02"]

    def test_the_staff_in_scope_share_a_store_with_the_actor(
        self, rhea, cashier, flo, dora, manager
    ):
        assert sorted(staff_in_scope(rhea).values_list("username", flat=True)) == [
            "cal", "flo", "rhea",
        ]  # fmt: skip
        assert set(staff_in_scope(manager)) == {rhea, cashier, flo, dora, manager}
