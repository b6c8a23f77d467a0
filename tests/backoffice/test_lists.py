"""The shared list pieces: columns to view, bulk actions, and exports that follow the table."""

import csv
import io

import django_tables2 as tables
import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from backoffice.models import TablePreference
from customers.exports import HEADER
from customers.models import Customer
from customers.tables import CustomerTable
from tests.factories import make_customer, make_user

LIST_URL = reverse("customers:list")
COLUMNS_URL = reverse("table_columns", args=["customers"])


def header_labels(response):
    return [column.header for column in response.context["table"].columns]


class TestColumnsToView:
    def test_default_columns(self, clerk_client, db):
        response = clerk_client.get(LIST_URL)

        assert header_labels(response) == [
            "Photo",
            "Name",
            "Email",
            "Phone",
            "Stores",
            "Loyalty",
            "Balance",
            "Created",
        ]

    def test_chosen_columns_are_shown_and_remembered_in_the_database(
        self, clerk_client, clerk, downtown
    ):
        make_customer(first_name="Ada", city="Austin", stores=[downtown])

        response = clerk_client.post(
            COLUMNS_URL, {"columns": ["email", "city"], "next": f"{LIST_URL}?q=ada"}
        )

        assert response.url == f"{LIST_URL}?q=ada"
        assert TablePreference.objects.get(user=clerk, table="customers").columns == [
            "name",
            "email",
            "city",
        ]
        page = clerk_client.get(LIST_URL)
        assert header_labels(page) == ["Name", "Email", "City"]
        assert "Austin" in page.content.decode()

    def test_columns_are_shown_in_the_order_chosen(self, clerk_client):
        clerk_client.post(COLUMNS_URL, {"columns": ["city", "name", "email"]})

        assert header_labels(clerk_client.get(LIST_URL)) == ["City", "Name", "Email"]

    def test_the_choice_is_per_user(self, clerk_client, manager):
        clerk_client.post(COLUMNS_URL, {"columns": ["email"]})
        manager_client = Client()
        manager_client.force_login(manager)

        assert "Phone" in header_labels(manager_client.get(LIST_URL))

    def test_the_choice_is_per_table(self, clerk_client):
        clerk_client.post(COLUMNS_URL, {"columns": ["email"]})

        deleted = clerk_client.get(reverse("customers:deleted"))
        assert header_labels(deleted) == ["Name", "Email", "Stores", "Deleted"]

    def test_reset_to_default(self, clerk_client, clerk):
        clerk_client.post(COLUMNS_URL, {"columns": ["email"]})

        clerk_client.post(COLUMNS_URL, {"reset": "yes"}, follow=True)

        assert not TablePreference.objects.filter(user=clerk).exists()
        assert "Phone" in header_labels(clerk_client.get(LIST_URL))

    def test_unknown_columns_are_ignored_and_the_name_is_always_shown(self, clerk_client):
        clerk_client.post(COLUMNS_URL, {"columns": ["email", "password", "<script>"]})

        assert header_labels(clerk_client.get(LIST_URL)) == ["Name", "Email"]

    def test_an_unknown_table_is_refused(self, clerk_client):
        response = clerk_client.post(reverse("table_columns", args=["users"]), {"columns": "x"})

        assert response.status_code == 400

    def test_a_foreign_next_goes_home_instead(self, clerk_client):
        response = clerk_client.post(
            COLUMNS_URL, {"columns": ["email"], "next": "https://evil.example/"}
        )

        assert response.url == reverse("home")

    def test_phone_widths_show_a_subset(self, clerk_client, db):
        make_customer()
        table = clerk_client.get(LIST_URL).context["table"]

        on_phones = [c.name for c in table.columns if "d-none" not in c.cell_class]
        assert on_phones == ["name", "email", "phone", "loyalty_balance"]

    def test_the_export_keeps_every_column_whatever_is_shown(self, manager_client, downtown):
        make_customer(stores=[downtown])
        manager_client.post(COLUMNS_URL, {"columns": ["email"]})

        response = manager_client.get(reverse("customers:export"))

        body = b"".join(response.streaming_content).decode()
        assert next(csv.reader(io.StringIO(body))) == HEADER


def test_a_column_declared_on_a_table_is_in_its_export(db, downtown):
    class WithPoints(CustomerTable):
        points = tables.Column("Points", accessor="loyalty_account__balance")

    make_customer(stores=[downtown], loyalty_balance=5)

    lines = list(WithPoints.csv_lines(Customer.objects.all()))

    assert lines[0].rstrip().split(",")[-1] == "points"
    assert lines[1].rstrip().split(",")[-1] == "5"


class TestBulkActions:
    @pytest.fixture
    def ada(self, downtown):
        return make_customer(first_name="Ada", last_name="Lovelace", stores=[downtown])

    def test_back_to_the_list_as_it_was(self, manager_client, ada):
        came_from = f"{LIST_URL}?q=ada&sort=name&page=1"

        confirm = manager_client.post(
            reverse("customers:bulk_delete"), {"selected": [ada.pk], "next": came_from}
        )
        done = manager_client.post(
            reverse("customers:bulk_delete"),
            {"selected": [ada.pk], "next": came_from, "confirm": "yes"},
        )

        assert f'name="next" value="{came_from.replace("&", "&amp;")}"' in confirm.content.decode()
        assert done.url == came_from

    @pytest.mark.parametrize(
        "next_url",
        ["https://evil.example/customers/", "//evil.example/customers/", "/admin/", ""],
    )
    def test_only_the_lists_own_url_is_followed(self, manager_client, ada, next_url):
        response = manager_client.post(
            reverse("customers:bulk_delete"),
            {"selected": [ada.pk], "next": next_url, "confirm": "yes"},
        )

        assert response.url == LIST_URL

    @pytest.mark.parametrize("selected", ["²", "١", "abc", "-1", ""])
    def test_odd_selections_are_ignored(self, manager_client, ada, selected):
        response = manager_client.post(
            reverse("customers:bulk_delete"), {"selected": [selected], "confirm": "yes"}
        )

        assert response.status_code == 302
        assert Customer.objects.filter(pk=ada.pk).exists()

    def test_purge_asks_first_and_names_the_customers(self, client, superuser, ada):
        client.force_login(superuser)
        Customer.objects.filter(pk=ada.pk).update(deleted_at="2026-01-01T00:00Z")

        response = client.post(reverse("customers:purge"), {"selected": [ada.pk]})

        html = response.content.decode()
        assert "Purge 1 customer?" in html and "Ada Lovelace" in html
        assert Customer.all_objects.filter(pk=ada.pk).exists()

    def test_purge_is_a_permission_not_superuser_only(self, client, ada):
        data_officer = make_user("officer", groups=["Managers"])
        data_officer.user_permissions.add(Permission.objects.get(codename="purge_customer"))
        client.force_login(data_officer)
        Customer.objects.filter(pk=ada.pk).update(deleted_at="2026-01-01T00:00Z")

        deleted_page = client.get(reverse("customers:deleted")).content.decode()
        client.post(reverse("customers:purge"), {"selected": [ada.pk], "confirm": "yes"})

        assert "Purge selected for good" in deleted_page
        assert not Customer.all_objects.filter(pk=ada.pk).exists()

    def test_managers_see_no_purge_button(self, manager_client, ada):
        Customer.objects.filter(pk=ada.pk).update(deleted_at="2026-01-01T00:00Z")

        html = manager_client.get(reverse("customers:deleted")).content.decode()

        assert "Restore selected" in html
        assert "Purge selected for good" not in html
