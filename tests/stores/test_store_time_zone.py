"""A store's time zone (issue 31, Low 11): by default TIME_ZONE, one of the IANA zones,
chosen where stores are edited (Django admin)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from stores.models import Store
from tests.factories import make_store

pytestmark = pytest.mark.django_db

ADD = reverse("admin:stores_store_add")


def store_form(**fields):
    return {"name": "Manhattan", "code": "NY01", "country": "US", "is_active": "on", **fields}


def test_the_admin_offers_the_iana_zones_with_time_zone_chosen(client, superuser, settings):
    settings.TIME_ZONE = "Europe/Lisbon"
    client.force_login(superuser)

    page = client.get(ADD).content.decode()

    assert '<option value="Europe/Lisbon" selected>Europe/Lisbon</option>' in page
    assert '<option value="America/New_York">America/New York</option>' in page


def test_the_admin_saves_a_zone_and_refuses_one_that_is_not(client, superuser):
    client.force_login(superuser)

    refused = client.post(ADD, store_form(time_zone="Mars/Olympus_Mons"))
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    assert not Store.objects.exists()

    client.post(ADD, store_form(time_zone="America/New_York"))
    assert Store.objects.get().time_zone == "America/New_York"


def test_a_store_is_on_time_zone_by_default_and_takes_iana_zones_only(settings):
    settings.TIME_ZONE = "Europe/Lisbon"
    store = make_store("Lisbon")
    assert store.time_zone == "Europe/Lisbon"

    store.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError) as refused:
        store.full_clean()
    assert "time_zone" in refused.value.message_dict
    store.time_zone = "America/New_York"
    store.full_clean()
