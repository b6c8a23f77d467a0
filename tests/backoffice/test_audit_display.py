"""The audit trail and a customer's History in words (issue 22, point 9): the Who filter by
full names; the Object type filter without internal models."""

import re

import pytest
from django.urls import reverse

from tests.factories import make_customer, make_house_account, make_user

AUDIT_URL = reverse("audit")


def options(html, name):
    """The option texts of the select called ``name``."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return [text.strip() for text in re.findall(r"<option[^>]*>(.*?)</option>", select, re.S)]


@pytest.fixture
def ada(manager, downtown):
    return make_customer(
        first_name="Ada", last_name="Lovelace", city="London", stores=[downtown], user=manager
    )


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
