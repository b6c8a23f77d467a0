"""Bulk delete with a confirmation page, the Deleted list, restore and purge."""

import pytest
from django.urls import reverse

from backoffice.models import AuditEvent
from customers.models import Customer
from loyalty.models import LoyaltyAccount, LoyaltyLedgerEntry
from tests.factories import make_customer

LIST_URL = reverse("customers:list")
DELETE_URL = reverse("customers:bulk_delete")
DELETED_URL = reverse("customers:deleted")
RESTORE_URL = reverse("customers:restore")
PURGE_URL = reverse("customers:purge")


@pytest.fixture
def ada(downtown):
    return make_customer(
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.com",
        stores=[downtown],
        loyalty_balance=120,
    )


@pytest.fixture
def grace(downtown):
    return make_customer(first_name="Grace", last_name="Hopper", stores=[downtown])


def test_list_offers_row_checkboxes_and_delete_to_managers(manager_client, ada):
    html = manager_client.get(LIST_URL).content.decode()

    assert f'name="selected" value="{ada.pk}"' in html
    assert 'id="select-all"' in html
    assert "Delete selected" in html


def test_confirmation_page_names_the_customers_and_deletes_nothing(manager_client, ada, grace):
    response = manager_client.post(DELETE_URL, {"selected": [ada.pk, grace.pk]})

    html = response.content.decode()
    assert "Delete 2 customers?" in html
    assert "Ada Lovelace" in html and "Grace Hopper" in html
    assert Customer.objects.count() == 2


def test_confirmed_delete_moves_customers_to_deleted(manager_client, manager, ada, grace):
    response = manager_client.post(DELETE_URL, {"selected": [ada.pk], "confirm": "yes"})

    assert response.url == LIST_URL
    assert [c.pk for c in manager_client.get(LIST_URL).context["customers"]] == [grace.pk]
    deleted = manager_client.get(DELETED_URL)
    assert [c.pk for c in deleted.context["customers"]] == [ada.pk]
    ada = Customer.all_objects.get(pk=ada.pk)
    assert ada.deleted_by == manager


def test_deleted_customer_page_is_gone(manager_client, ada):
    manager_client.post(DELETE_URL, {"selected": [ada.pk], "confirm": "yes"})

    assert manager_client.get(reverse("customers:detail", args=[ada.pk])).status_code == 404
    assert manager_client.get(reverse("customers:edit", args=[ada.pk])).status_code == 404


def test_restore_brings_back_stores_loyalty_and_ledger(manager_client, ada, downtown):
    manager_client.post(DELETE_URL, {"selected": [ada.pk], "confirm": "yes"})

    response = manager_client.post(RESTORE_URL, {"selected": [ada.pk]})

    assert response.url == DELETED_URL
    ada = Customer.objects.get(pk=ada.pk)
    assert list(ada.stores.all()) == [downtown]
    assert ada.loyalty_account.balance == 120
    ledger = ada.loyalty_account.entries.order_by("pk").values_list("reason", "delta")
    assert list(ledger) == [("enrolled", 0), ("opening", 120)]


def test_deleted_email_is_free_for_a_new_customer_and_blocks_restore(manager_client, ada):
    manager_client.post(DELETE_URL, {"selected": [ada.pk], "confirm": "yes"})
    newcomer = make_customer(first_name="Ada", last_name="King", email="ADA@example.com")

    response = manager_client.post(RESTORE_URL, {"selected": [ada.pk]}, follow=True)

    assert "was not restored: its email ada@example.com now belongs to" in (
        response.content.decode()
    )
    assert f'href="{newcomer.get_absolute_url()}"' in response.content.decode()
    assert Customer.all_objects.get(pk=ada.pk).is_deleted


def test_superuser_purges_for_good(client, superuser, ada):
    client.force_login(superuser)
    client.post(DELETE_URL, {"selected": [ada.pk], "confirm": "yes"})

    client.post(PURGE_URL, {"selected": [ada.pk], "confirm": "yes"})

    assert not Customer.all_objects.filter(pk=ada.pk).exists()
    assert not LoyaltyAccount.objects.exists()
    assert not LoyaltyLedgerEntry.objects.exists()


def test_purge_only_touches_deleted_customers(client, superuser, ada):
    client.force_login(superuser)

    response = client.post(PURGE_URL, {"selected": [ada.pk], "confirm": "yes"}, follow=True)

    assert response.redirect_chain == [(DELETED_URL, 302)]
    assert "purged for good" not in response.content.decode()
    assert Customer.objects.filter(pk=ada.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PURGE).exists()


class TestPermissions:
    def test_clerk_may_not_delete(self, clerk_client, ada):
        response = clerk_client.post(DELETE_URL, {"selected": [ada.pk], "confirm": "yes"})

        assert response.status_code == 403
        assert Customer.objects.filter(pk=ada.pk).exists()

    def test_clerk_sees_no_delete_controls(self, clerk_client, ada):
        html = clerk_client.get(LIST_URL).content.decode()

        assert 'name="selected"' not in html
        assert "Delete selected" not in html

    def test_clerk_may_not_restore(self, clerk_client, manager, ada):
        Customer.objects.filter(pk=ada.pk).update(
            deleted_by=manager, deleted_at="2026-01-01T00:00Z"
        )

        assert clerk_client.post(RESTORE_URL, {"selected": [ada.pk]}).status_code == 403
        assert Customer.all_objects.get(pk=ada.pk).is_deleted

    def test_manager_may_not_purge(self, manager_client, ada):
        manager_client.post(DELETE_URL, {"selected": [ada.pk], "confirm": "yes"})

        response = manager_client.post(PURGE_URL, {"selected": [ada.pk], "confirm": "yes"})

        assert response.status_code == 403
        assert Customer.all_objects.filter(pk=ada.pk).exists()
