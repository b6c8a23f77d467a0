"""Two people, one customer: the second save is refused, keeps everything typed, shows what
the first saved, and lets the second keep theirs (against the new version) or take the
other values."""

import pytest
from django.test import Client
from django.urls import reverse

from customers.models import Customer
from tests.factories import make_customer
from tests.forms import form_data


@pytest.fixture
def grace(downtown):
    return make_customer(
        first_name="Grace", last_name="Hopper", city="Arlington", stores=[downtown]
    )


@pytest.fixture
def two_people(clerk, manager):
    carla, mona = Client(), Client()
    carla.force_login(clerk)
    mona.force_login(manager)
    return carla, mona


def url(customer):
    return reverse("customers:edit", args=[customer.pk])


@pytest.fixture
def refused(two_people, grace):
    """Carla and Mona open Grace; Mona saves Boston; Carla then saves Chicago and a note."""
    carla, mona = two_people
    carla_form = form_data(carla.get(url(grace)), "customer-form")
    mona_form = form_data(mona.get(url(grace)), "customer-form")
    mona_form.update(city="Boston", gate_code="#77")
    mona.post(url(grace), mona_form)
    carla_form.update(city="Chicago", notes="Call after 5 pm.")
    return carla.post(url(grace), carla_form)


def test_the_second_save_is_refused_and_keeps_everything_typed(refused, grace):
    shown = form_data(refused, "customer-form")

    assert refused.status_code == 200
    assert "Someone else (Mona Manager) saved this customer" in refused.content.decode()
    assert (shown["city"], shown["notes"]) == (["Chicago"], ["Call after 5 pm."])
    grace.refresh_from_db()
    assert (grace.city, grace.gate_code, grace.notes) == ("Boston", "#77", "")


def test_a_field_only_the_other_person_changed_takes_their_value(refused):
    shown = form_data(refused, "customer-form")

    assert shown["gate_code"] == ["#77"]
    assert "Taken from their save: Gate code." in refused.content.decode()


def test_a_field_both_changed_shows_what_was_saved_beside_the_typed_one(refused):
    html = refused.content.decode()

    assert "Saved meanwhile by Mona Manager: <strong>Boston</strong>" in html
    assert "You both changed: City." in html
    assert html.count("Saved meanwhile by") == 1  # not the notes, which only Carla changed


def test_keep_my_values_saves_the_merge_against_the_new_version(two_people, refused, grace):
    carla, _ = two_people

    response = carla.post(url(grace), form_data(refused, "customer-form"))

    assert response.status_code == 302
    grace.refresh_from_db()
    assert (grace.city, grace.notes, grace.gate_code) == ("Chicago", "Call after 5 pm.", "#77")


def test_without_the_loaded_values_every_difference_is_shown(two_people, grace):
    carla, mona = two_people
    carla_form = {
        key: value
        for key, value in form_data(carla.get(url(grace)), "customer-form").items()
        if not key.startswith("original-")
    }
    mona_form = form_data(mona.get(url(grace)), "customer-form")
    mona_form.update(gate_code="#77")
    mona.post(url(grace), mona_form)

    response = carla.post(url(grace), {**carla_form, "city": "Chicago"})

    assert "Saved meanwhile by Mona Manager: <strong>#77</strong>" in response.content.decode()


def test_take_their_values_reloads_what_was_saved(two_people, refused, grace):
    carla, _ = two_people

    assert "Take their values</a>" in refused.content.decode()
    reloaded = form_data(carla.get(url(grace)), "customer-form")

    assert reloaded["city"] == ["Boston"]
    assert Customer.objects.get(pk=grace.pk).city == "Boston"
