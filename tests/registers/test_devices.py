"""One device per register: every request names the till's device (``Register-Device``),
the first device to use a key holds the register, and another is refused with a 409 until
a manager releases it."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from backoffice.audit import Actor
from registers.models import Register
from registers.services import register_claim, register_create, register_reactivate
from tests.factories import make_store
from tests.tills import till_client

pytestmark = pytest.mark.django_db

SEARCH = reverse("api_customers")
OPS = Actor("manage.py (tests)")


@pytest.fixture
def front_desk():
    """Boston's register: (register, key)."""
    boston = make_store("Boston", code="BO01", country="US")
    return register_create(name="Front desk", store=boston, actor=OPS)


def test_a_request_without_the_header_is_told_what_to_send(front_desk):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {front_desk[1]}")

    response = client.get(SEARCH, {"q": "ada"})

    assert response.status_code == 400
    assert "Send a Register-Device header with every request" in response.json()["detail"]
    assert Register.objects.get().device == ""


def test_an_id_that_is_not_one_is_refused_the_same_way(front_desk):
    response = till_client(front_desk[1], device="x" * 101).get(SEARCH, {"q": "ada"})

    assert response.status_code == 400


def test_the_first_device_holds_the_register_and_another_gets_409(front_desk):
    register, key = front_desk
    assert till_client(key, device="till-a").get(SEARCH, {"q": "ada"}).status_code == 200

    response = till_client(key, device="till-b").get(SEARCH, {"q": "ada"})

    assert response.status_code == 409
    answer = response.json()
    register.refresh_from_db()
    assert answer["code"] == "register_in_use"
    assert answer["held_since"] == register.device_since.isoformat()
    assert answer["last_seen_at"] == register.last_seen_at.isoformat()
    assert "release" in answer["detail"] and "till-a" not in str(answer)
    assert till_client(key, device="till-a").get(SEARCH, {"q": "ada"}).status_code == 200


def test_after_a_release_on_the_page_the_next_device_holds_it(front_desk, manager_client):
    register, key = front_desk
    till_client(key, device="till-a").get(SEARCH)

    manager_client.post(reverse("registers:release", args=[register.pk]))

    assert till_client(key, device="till-b").get(SEARCH).status_code == 200
    assert till_client(key, device="till-a").get(SEARCH).status_code == 409


def test_a_new_key_may_be_used_on_another_device(front_desk):
    register, key = front_desk
    till_client(key, device="till-a").get(SEARCH)

    new_key = register_reactivate(register=register, actor=OPS)

    assert till_client(new_key, device="till-b").get(SEARCH).status_code == 200


def test_two_devices_starting_at_once_cannot_both_hold_it(front_desk):
    register, _ = front_desk
    as_read_by_a, as_read_by_b = Register.objects.get(), Register.objects.get()

    assert register_claim(register=as_read_by_a, device="till-a")
    assert not register_claim(register=as_read_by_b, device="till-b")
    assert Register.objects.get().device == "till-a"


def test_the_schema_asks_for_the_header_with_the_key(front_desk):
    schema = till_client(front_desk[1]).get(reverse("api_schema"), {"format": "json"}).json()

    device = schema["components"]["securitySchemes"]["registerDevice"]
    assert (device["type"], device["in"], device["name"]) == ("apiKey", "header", "Register-Device")
    operation = schema["paths"]["/api/v1/customers/"]["get"]
    assert {"registerKey": [], "registerDevice": []} in operation["security"]
    assert "register_in_use" in operation["responses"]["409"]["description"]
