"""Which stores each staff member holds: the Staff page, Django admin and set_user_stores."""

from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.urls import reverse

from backoffice.models import AuditEvent
from stores.models import StaffStore
from stores.services import stores_held_by
from tests.factories import make_store, make_user
from tests.forms import field_errors, form_data

pytestmark = pytest.mark.django_db


def held(user):
    return [store.code for store in stores_held_by(user)]


def test_the_staff_page_lists_each_person_with_roles_and_stores(
    manager_client, clerk, downtown, riverside
):
    StaffStore.objects.create(user=clerk, store=riverside)
    StaffStore.objects.create(user=clerk, store=downtown)

    table = manager_client.get(reverse("staff:list")).context["table"]

    assert [str(column.header) for column in table.columns] == [
        "Username", "Name", "Roles", "Stores held",
    ]  # fmt: skip
    row = next(row for row in table.rows if row.record == clerk)
    assert row.get_cell("name") == "Carla Clerk"
    assert row.get_cell("roles") == "Store staff"
    assert row.get_cell("stores") == "DT01, RV02"


def test_a_manager_sets_the_stores_a_clerk_holds_and_it_is_audited(
    manager_client, manager, clerk, downtown, riverside
):
    StaffStore.objects.create(user=clerk, store=riverside)
    url = reverse("staff:stores", kwargs={"pk": clerk.pk})
    data = form_data(manager_client.get(url), "staff-stores-form")
    data["stores"] = [str(downtown.pk)]

    response = manager_client.post(url, data, follow=True)

    assert held(clerk) == ["DT01"]
    assert "Carla Clerk holds DT01." in response.content.decode()
    event = AuditEvent.objects.get(object_id=clerk.pk, user=manager)
    assert event.summary == "Stores held: DT01 (before: RV02)"


def test_the_form_starts_with_the_stores_held(manager_client, clerk, downtown, riverside):
    StaffStore.objects.create(user=clerk, store=riverside)

    data = form_data(manager_client.get(reverse("staff:stores", kwargs={"pk": clerk.pk})))

    assert data["stores"] == [str(riverside.pk)]


def test_an_unknown_store_is_refused_next_to_the_field(manager_client, clerk, downtown):
    StaffStore.objects.create(user=clerk, store=downtown)

    response = manager_client.post(
        reverse("staff:stores", kwargs={"pk": clerk.pk}), {"stores": ["999999"]}
    )

    assert response.status_code == 200
    assert field_errors(response, "stores") == [
        "Select a valid choice. 999999 is not one of the available choices."
    ]
    assert held(clerk) == ["DT01"]


def test_a_closed_store_is_not_offered_and_stays_held(manager_client, clerk, downtown):
    closed = make_store("Old mall", code="OM09", is_active=False)
    StaffStore.objects.create(user=clerk, store=closed)

    manager_client.post(
        reverse("staff:stores", kwargs={"pk": clerk.pk}), {"stores": [str(downtown.pk)]}
    )

    assert held(clerk) == ["DT01", "OM09"]


def test_saving_the_same_stores_writes_no_event(manager_client, clerk, downtown):
    StaffStore.objects.create(user=clerk, store=downtown)

    manager_client.post(
        reverse("staff:stores", kwargs={"pk": clerk.pk}), {"stores": [str(downtown.pk)]}
    )

    assert not AuditEvent.objects.filter(object_id=clerk.pk).exists()


class TestSetUserStores:
    def test_sets_every_store_named_and_takes_the_others_away(self, clerk, downtown, riverside):
        StaffStore.objects.create(user=clerk, store=downtown)
        out = StringIO()

        call_command("set_user_stores", "clerk", "rv02", stdout=out)

        assert held(clerk) == ["RV02"]
        assert out.getvalue() == "clerk holds RV02.\n"
        event = AuditEvent.objects.get(object_id=clerk.pk)
        assert event.user_name == "manage.py set_user_stores"

    def test_says_so_when_nothing_changes(self, clerk, downtown):
        StaffStore.objects.create(user=clerk, store=downtown)
        out = StringIO()

        call_command("set_user_stores", "clerk", "DT01", stdout=out)

        assert out.getvalue() == "clerk held DT01 already.\n"

    def test_an_unknown_store_changes_nothing(self, clerk, downtown):
        with pytest.raises(CommandError, match="No store has the code XX99."):
            call_command("set_user_stores", "clerk", "DT01", "XX99")

        assert held(clerk) == []

    def test_an_unknown_user_is_an_error(self, downtown):
        with pytest.raises(CommandError, match="No user is named nobody."):
            call_command("set_user_stores", "nobody", "DT01")


def test_django_admin_sets_the_stores_through_the_same_service(
    client, superuser, clerk, downtown, riverside
):
    client.force_login(superuser)
    url = reverse("admin:auth_user_change", args=[clerk.pk])
    data = form_data(client.get(url), "user_form")
    data.update({"held_stores-0-store": [str(riverside.pk)]})

    response = client.post(url, data)

    assert response.status_code == 302
    assert held(clerk) == ["RV02"]
    assert AuditEvent.objects.get(object_id=clerk.pk).summary == (
        "Stores held: RV02 (before: none)"
    )


def test_superusers_and_no_role_hold_every_store_by_permission(superuser, downtown):
    assert superuser.has_perm("customers.view_all_stores")
    for role in ("Managers", "Store staff"):
        assert not make_user(groups=[role], stores=[downtown]).has_perm("customers.view_all_stores")
    assert not AnonymousUser().has_perm("customers.view_all_stores")
