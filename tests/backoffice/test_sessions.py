"""A session lasts a working day after the last request, without each request rewriting it."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone


def test_a_request_that_changes_nothing_keeps_the_session_alive(clerk_client):
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
    before = Session.objects.get().session_data

    assert clerk_client.get(reverse("customers:list")).status_code == 200

    session = Session.objects.get()
    left = session.expire_date - timezone.now()
    assert left > timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    assert session.session_data == before


def test_a_change_to_the_session_is_saved(clerk_client, downtown):
    clerk_client.post(reverse("stores:choose"), {"store": downtown.pk})

    assert Session.objects.get().get_decoded()["current_store_id"] == downtown.pk
