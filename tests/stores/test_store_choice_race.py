"""A store picked in the top bar survives the requests that were already on their way.

A store manager lost their choice about once in 30 tries: a customer photo requested just
before ``POST /stores/choose/`` finished just after it. Every request wrote the whole session
back as it had read it (``SESSION_SAVE_EVERY_REQUEST``), so the photo's response put the old
store back. These tests play that interleaving out step by step.
"""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from customers.views import CustomerPhotoView
from tests.factories import image_upload, make_customer

LIST_URL = reverse("customers:list")
CHOOSE_URL = reverse("stores:choose")


@pytest.fixture
def customer_with_photo(downtown):
    return make_customer(first_name="Ada", stores=[downtown], photo=image_upload())


@pytest.fixture
def second_tab(clerk_client):
    """Another tab of the same browser: it sends the same session cookie."""
    tab = Client()
    tab.cookies[settings.SESSION_COOKIE_NAME] = clerk_client.cookies[
        settings.SESSION_COOKIE_NAME
    ].value
    return tab


def finish_after(monkeypatch, view_class, meanwhile):
    """Run ``meanwhile`` once the view has read the session and answered, before its
    response goes back out through the session middleware."""
    served = view_class.get

    def get(view, request, *args, **kwargs):
        assert request.session.accessed  # the session was read before the choice was made
        response = served(view, request, *args, **kwargs)
        meanwhile()
        return response

    monkeypatch.setattr(view_class, "get", get)


def chosen_store(client):
    return client.get(LIST_URL).context["current_store"]


def test_a_photo_that_finishes_after_the_choice_does_not_undo_it(
    clerk_client, second_tab, customer_with_photo, downtown, riverside, monkeypatch
):
    clerk_client.post(CHOOSE_URL, {"store": downtown.pk})
    finish_after(
        monkeypatch,
        CustomerPhotoView,
        lambda: second_tab.post(CHOOSE_URL, {"store": riverside.pk}),
    )

    photo = clerk_client.get(reverse("customers:photo", args=[customer_with_photo.pk]))

    assert photo.status_code == 200
    assert chosen_store(clerk_client) == riverside


def test_a_photo_that_finishes_after_all_stores_is_chosen_does_not_bring_the_store_back(
    clerk_client, second_tab, customer_with_photo, downtown, monkeypatch
):
    clerk_client.post(CHOOSE_URL, {"store": downtown.pk})
    finish_after(monkeypatch, CustomerPhotoView, lambda: second_tab.post(CHOOSE_URL, {"store": ""}))

    clerk_client.get(reverse("customers:photo", args=[customer_with_photo.pk]))

    assert chosen_store(clerk_client) is None


def test_a_request_that_finishes_after_sign_out_does_not_sign_back_in(
    clerk_client, second_tab, customer_with_photo, monkeypatch
):
    finish_after(monkeypatch, CustomerPhotoView, lambda: second_tab.post(reverse("logout")))

    clerk_client.get(reverse("customers:photo", args=[customer_with_photo.pk]))

    assert not Session.objects.exists()
    assert clerk_client.get(LIST_URL).status_code == 302
