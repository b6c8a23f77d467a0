"""The audit trail and a customer's History in words (issue 22, point 9): each change under
its field's label, with the values a person reads (Yes/No, a country's name, local time to
the minute, "photo replaced" rather than a file's path); the Who filter by full names; the
Object type filter without internal models; each object a link to its page."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice.models import AuditEvent
from customers.models import Customer
from tests.factories import image_upload, make_customer, make_house_account, make_user
from tests.forms import form_data

AUDIT_URL = reverse("audit")


def edit(client, customer, **changes):
    url = reverse("customers:edit", args=[customer.pk])
    data = form_data(client.get(url), "customer-form")
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302
    return response


def cells(html, column):
    """The text of the column's cells, as a reader sees them (a line break as "\\n")."""
    found = re.findall(rf'<td[^>]*data-label="{column}"[^>]*>(.*?)</td>', html, re.S)
    return [re.sub(r"<[^>]+>", "", cell.replace("<br>", "\n")).strip() for cell in found]


def history_changes(client, customer):
    """The Changes column of the customer page's History, newest first."""
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    return cells(page, "Changes")


def options(html, name):
    """The option texts of the select called ``name``."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return [text.strip() for text in re.findall(r"<option[^>]*>(.*?)</option>", select, re.S)]


@pytest.fixture
def ada(manager, downtown):
    return make_customer(
        first_name="Ada", last_name="Lovelace", city="London", stores=[downtown], user=manager
    )


class TestChangesInWords:
    def test_a_yes_or_no_change_reads_no_to_yes(self, manager_client, ada):
        edit(manager_client, ada, loyalty_enrolled="on", loyalty_balance="0")

        assert "loyalty enrolled: No → Yes" in history_changes(manager_client, ada)

    def test_a_nationality_reads_as_the_country_name(self, manager_client, ada):
        edit(manager_client, ada, nationality="MX")

        assert history_changes(manager_client, ada)[0] == "nationality: — → Mexico"

    def test_a_choice_reads_as_its_label(self, manager_client, ada):
        edit(manager_client, ada, gender="undisclosed")

        assert history_changes(manager_client, ada)[0] == "gender: — → Prefers not to say"

    def test_a_photo_reads_added_then_replaced_never_its_path(self, manager_client, ada):
        edit(manager_client, ada, photo=image_upload("first.jpg"))
        edit(manager_client, ada, photo=image_upload("second.png", image_format="PNG"))

        newest, added, *_ = history_changes(manager_client, ada)
        assert (newest, added) == ("photo replaced", "photo added")
        audit_page = manager_client.get(AUDIT_URL).content.decode()
        assert "photo replaced" in cells(audit_page, "Changes")
        assert "customers/photos" not in audit_page
        assert AuditEvent.objects.filter(changes__photo__isnull=False).count() == 2  # kept

    def test_a_time_reads_in_local_time_to_the_minute(self, manager_client, settings, ada):
        settings.TIME_ZONE = "America/Mexico_City"  # UTC-6 all year
        opened = datetime.datetime(2026, 12, 2, 5, 54, 38, 939664, tzinfo=datetime.UTC)
        make_house_account(ada, created_at=opened)

        page = manager_client.get(AUDIT_URL).content.decode()

        opening = next(cell for cell in cells(page, "Changes") if "account number" in cell)
        assert "created at: 2026-12-01 23:54" in opening.splitlines()
        assert "2026-12-02T05:54" not in page

    def test_the_when_column_is_local_time_to_the_minute(self, manager_client, settings, ada):
        settings.TIME_ZONE = "America/Mexico_City"
        AuditEvent.objects.update(
            created_at=datetime.datetime(2026, 12, 2, 5, 54, 38, tzinfo=datetime.UTC)
        )

        page = manager_client.get(AUDIT_URL).content.decode()

        assert set(cells(page, "When")) == {"2026-12-01 23:54"}

    def test_the_stored_values_stay_as_they_were(self, manager_client, ada):
        edit(manager_client, ada, nationality="MX")

        assert AuditEvent.objects.get(action="update").changes == {"nationality": ["", "MX"]}


class TestAuditFilters:
    def test_who_lists_people_by_full_name_else_username(self, manager_client, ada):
        make_user("olga", first_name="Olga", last_name="Ivanova")
        make_user("till7")

        who = options(manager_client.get(AUDIT_URL).content.decode(), "user")

        assert "Olga Ivanova" in who and "Mona Manager" in who and "till7" in who
        assert "olga" not in who
        assert who.index("Mona Manager") < who.index("Olga Ivanova") < who.index("till7")

    def test_object_types_are_those_the_trail_has_events_about(self, manager_client, ada):
        make_house_account(ada)

        types = options(manager_client.get(AUDIT_URL).content.decode(), "object_type")

        assert types == ["Any", "Customer", "House account"]
        assert "Customer tally" not in types


class TestObjectLinks:
    def test_the_object_links_to_its_page(self, manager_client, ada):
        page = manager_client.get(AUDIT_URL).content.decode()

        customer_url = reverse("customers:detail", args=[ada.pk])
        assert f'<a href="{customer_url}">Ada Lovelace</a>' in page

    def test_a_deleted_customer_is_named_without_a_link(self, manager_client, ada):
        manager_client.post(
            reverse("customers:bulk_delete"), {"selected": [ada.pk], "confirm": "yes"}
        )

        page = manager_client.get(AUDIT_URL).content.decode()

        assert "Ada Lovelace" in cells(page, "Object")
        assert reverse("customers:detail", args=[ada.pk]) not in page

    def test_a_purged_customer_is_neither_named_nor_linked(self, client, superuser, ada):
        client.force_login(superuser)
        edit(client, ada, nationality="MX", city="Paris")
        client.post(reverse("customers:bulk_delete"), {"selected": [ada.pk], "confirm": "yes"})
        client.post(reverse("customers:purge"), {"selected": [ada.pk], "confirm": "yes"})

        page = client.get(AUDIT_URL).content.decode()

        assert set(cells(page, "Object")) == {f"Customer #{ada.pk}"}
        table = re.search(r"<table.*</table>", page, re.S).group(0)
        for personal in ("Ada", "Lovelace", "London", "Paris", "Mexico"):
            assert personal not in table
        assert reverse("customers:detail", args=[ada.pk]) not in page
        assert not Customer.all_objects.filter(pk=ada.pk).exists()

    def test_a_page_of_50_events_costs_the_same_queries_as_one(
        self, manager_client, manager, downtown, django_assert_max_num_queries
    ):
        make_customer(stores=[downtown], user=manager, nationality="MX")
        with CaptureQueriesContext(connection) as with_one:
            manager_client.get(AUDIT_URL)
        for _ in range(60):
            make_customer(stores=[downtown], user=make_user(), nationality="MX")

        with django_assert_max_num_queries(len(with_one)):
            response = manager_client.get(AUDIT_URL)

        assert len(response.context["events"]) == 50
        assert len(re.findall(r'<a href="/customers/\d+/">', response.content.decode())) == 50
