"""Row actions as the seed has them, and coming back to the list as it was left."""

import pytest
from django.urls import reverse

from customers.models import Customer
from tests.factories import make_customer
from tests.forms import form_data

LIST_URL = reverse("customers:list")
CAME_FROM = f"{LIST_URL}?q=lovelace&sort=-name&page=1"


@pytest.fixture
def ada(downtown):
    return make_customer(first_name="Ada", last_name="Lovelace", stores=[downtown])


class TestActionsColumn:
    def test_managers_get_view_edit_and_delete(self, manager_client, ada):
        html = manager_client.get(LIST_URL).content.decode()

        assert '<th scope="col" class="text-end row-actions">Actions</th>' in html
        assert "View customer</a>" in html and "Edit customer</a>" in html
        assert f'name="selected" value="{ada.pk}" class="dropdown-item text-danger">Delete' in html

    def test_clerks_get_no_delete(self, clerk_client, ada):
        html = clerk_client.get(LIST_URL).content.decode()

        assert "Edit customer</a>" in html
        assert "dropdown-item text-danger" not in html

    def test_delete_from_a_row_asks_first_then_returns_to_the_list(self, manager_client, ada):
        confirm = manager_client.post(
            reverse("customers:bulk_delete"), {"selected": ada.pk, "next": CAME_FROM}
        )
        done = manager_client.post(
            reverse("customers:bulk_delete"),
            {"selected": ada.pk, "next": CAME_FROM, "confirm": "yes"},
            follow=True,
        )

        assert "Delete 1 customer?" in confirm.content.decode()
        assert done.redirect_chain[0][0] == CAME_FROM
        assert "1 customer moved to Deleted" in done.content.decode()
        assert Customer.all_objects.get(pk=ada.pk).is_deleted


class TestBackToTheList:
    def edit(self, client, customer, next_url, **changes):
        url = reverse("customers:edit", args=[customer.pk])
        data = form_data(client.get(url, {"next": next_url}), "customer-form")
        data.update(changes)
        return client.post(url, data)

    def test_update_returns_to_the_search_filters_sort_and_page(self, clerk_client, ada):
        response = self.edit(clerk_client, ada, CAME_FROM, city="Paris")

        assert response.url == CAME_FROM
        messages = [str(m) for m in response.wsgi_request._messages]
        assert messages == ["Customer “Ada Lovelace” was updated."]

    def test_save_of_a_new_customer_returns_too(self, clerk_client, downtown):
        url = reverse("customers:create")
        data = form_data(clerk_client.get(url, {"next": CAME_FROM}), "customer-form")
        data.update(first_name="Grace", last_name="Hopper", email="grace@example.com")
        data["stores"] = [str(downtown.pk)]

        assert clerk_client.post(url, data).url == CAME_FROM

    @pytest.mark.parametrize(
        "next_url",
        [
            "https://evil.example/customers/",
            "//evil.example/customers/",
            "/admin/",
            "/customers/deleted/",
            "javascript:alert(1)",
        ],
    )
    def test_only_the_sites_own_list_is_followed(self, clerk_client, ada, next_url):
        assert self.edit(clerk_client, ada, next_url, city="Paris").url == LIST_URL

    def test_the_customer_page_passes_the_list_along(self, manager_client, ada):
        html = manager_client.get(ada.get_absolute_url(), {"next": CAME_FROM}).content.decode()

        assert "next=%2Fcustomers%2F%3Fq%3Dlovelace%26sort%3D-name%26page%3D1" in html
        assert f'name="next" value="{CAME_FROM.replace("&", "&amp;")}"' in html

    def test_cancel_goes_back_to_the_list(self, clerk_client, ada):
        html = clerk_client.get(
            reverse("customers:edit", args=[ada.pk]), {"next": CAME_FROM}
        ).content.decode()

        assert (
            f'href="{CAME_FROM.replace("&", "&amp;")}" '
            'class="btn btn-outline-secondary text-nowrap">Cancel' in html
        )
