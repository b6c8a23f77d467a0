"""The top bar's store sticks: each person finds their default store, else the store they
chose last, when they sign in again."""

import pytest
from django.test import Client
from django.urls import reverse

from stores.models import StorePreference
from tests.factories import make_store, make_user
from tests.forms import form_data

LIST_URL = reverse("customers:list")
CHOOSE_URL = reverse("stores:choose")
SETTINGS_URL = reverse("stores:settings")
PASSWORD = "Correct-Horse-42"


@pytest.fixture
def carla(db):
    """A store clerk who signs in with her password at the start of each shift."""
    return make_user(
        "carla", password=PASSWORD, groups=["Store staff"], first_name="Carla", last_name="Clerk"
    )


@pytest.fixture
def mona(db):
    """A store manager who signs in on the same back-office computer."""
    return make_user(
        "mona", password=PASSWORD, groups=["Managers"], first_name="Mona", last_name="Manager"
    )


def sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "sign-in refused"
    return client


def sign_out(client):
    client.post(reverse("logout"))
    assert client.get(LIST_URL).status_code == 302, "still signed in"


def top_bar_store(client):
    return client.get(LIST_URL).context["current_store"]


def choose(client, store):
    client.post(CHOOSE_URL, {"store": store.pk if store else ""})


def make_default(client, store):
    data = form_data(client.get(SETTINGS_URL), "settings-form")
    data["default_store"] = str(store.pk) if store else ""
    return client.post(SETTINGS_URL, data, follow=True)


class TestTheLastChoice:
    def test_survives_signing_out_and_in(self, client, carla, downtown, riverside):
        sign_in(client, carla)
        choose(client, riverside)
        sign_out(client)

        sign_in(client, carla)

        assert top_bar_store(client) == riverside

    def test_of_all_stores_survives_signing_out_and_in(self, client, carla, riverside):
        sign_in(client, carla)
        choose(client, riverside)
        choose(client, None)
        sign_out(client)

        sign_in(client, carla)

        assert top_bar_store(client) is None

    def test_follows_the_person_to_another_computer(self, client, carla, riverside):
        sign_in(client, carla)
        choose(client, riverside)

        assert top_bar_store(sign_in(Client(), carla)) == riverside

    def test_is_each_persons_own(self, client, carla, mona, downtown, riverside):
        sign_in(client, mona)
        choose(client, downtown)
        sign_out(client)
        sign_in(client, carla)
        choose(client, riverside)
        sign_out(client)

        sign_in(client, mona)

        assert top_bar_store(client) == downtown

    def test_of_a_store_closed_since_gives_all_stores(self, client, carla, riverside):
        sign_in(client, carla)
        choose(client, riverside)
        sign_out(client)
        riverside.is_active = False
        riverside.save()

        sign_in(client, carla)

        assert top_bar_store(client) is None

    def test_is_not_invented_for_someone_who_never_chose(self, client, carla, downtown):
        sign_in(client, carla)

        assert top_bar_store(client) is None
        assert not StorePreference.objects.exists()


class TestTheDefaultStore:
    def test_wins_over_the_last_choice_at_sign_in(self, client, carla, downtown, riverside):
        sign_in(client, carla)
        make_default(client, downtown)
        choose(client, riverside)
        sign_out(client)

        sign_in(client, carla)

        assert top_bar_store(client) == downtown

    def test_does_not_switch_the_top_bar_when_it_is_set(self, client, carla, downtown, riverside):
        sign_in(client, carla)
        choose(client, riverside)

        response = make_default(client, downtown)

        assert response.context["current_store"] == riverside
        assert "Your default store is Downtown" in response.content.decode()

    def test_removed_gives_back_the_last_choice(self, client, carla, downtown, riverside):
        sign_in(client, carla)
        make_default(client, downtown)
        choose(client, riverside)

        response = make_default(client, None)
        sign_out(client)
        sign_in(client, carla)

        assert "No default store" in response.content.decode()
        assert top_bar_store(client) == riverside

    def test_closed_since_gives_the_last_choice(self, client, carla, downtown, riverside):
        sign_in(client, carla)
        make_default(client, downtown)
        choose(client, riverside)
        sign_out(client)
        downtown.is_active = False
        downtown.save()

        sign_in(client, carla)

        assert top_bar_store(client) == riverside

    def test_set_by_an_admin_applies_at_the_next_sign_in(self, client, carla, superuser, downtown):
        admin = Client()
        admin.force_login(superuser)
        add_url = reverse("admin:stores_storepreference_add")
        assert admin.get(add_url).status_code == 200

        admin.post(add_url, {"user": carla.pk, "default_store": downtown.pk})

        assert top_bar_store(sign_in(client, carla)) == downtown


class TestMySettingsPage:
    def test_is_reached_from_the_name_in_the_top_bar(self, clerk_client):
        html = clerk_client.get(LIST_URL).content.decode()

        assert f'href="{SETTINGS_URL}" title="My settings">Carla Clerk</a>' in html

    def test_offers_the_active_stores_and_no_default(self, clerk_client, downtown, riverside):
        make_store("Closed Store", is_active=False)

        html = clerk_client.get(SETTINGS_URL).content.decode()

        start = html.index('name="default_store"')
        select = html[start : html.index("</select>", start)]
        assert "None: the store I chose last" in select
        assert "Downtown" in select and "Riverside" in select
        assert "Closed Store" not in select

    def test_shows_the_default_already_set(self, clerk_client, clerk, riverside):
        StorePreference.objects.create(user=clerk, default_store=riverside)

        data = form_data(clerk_client.get(SETTINGS_URL), "settings-form")

        assert data["default_store"] == [str(riverside.pk)]

    def test_keeps_the_last_choice_when_the_default_is_saved(self, clerk_client, clerk, riverside):
        choose(clerk_client, riverside)

        make_default(clerk_client, riverside)
        make_default(clerk_client, None)

        preference = StorePreference.objects.get(user=clerk)
        assert (preference.default_store, preference.last_store) == (None, riverside)

    def test_refuses_a_closed_store(self, clerk_client, clerk):
        closed = make_store("Closed", is_active=False)

        response = make_default(clerk_client, closed)

        assert "Select a valid choice" in response.content.decode()
        assert not StorePreference.objects.filter(default_store=closed).exists()

    def test_is_for_signed_in_people_only(self, client, db):
        assert client.get(SETTINGS_URL).url.startswith(reverse("login"))
