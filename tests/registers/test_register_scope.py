"""A person creates, sees, deactivates, reactivates and releases registers only within the
stores they hold (``customers.view_all_stores`` for the rest), through the pages and in
the services themselves; deactivating asks first."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from backoffice.audit import Actor
from backoffice.models import AuditEvent
from registers.models import Register, key_hash
from registers.services import (
    register_claim,
    register_create,
    register_deactivate,
    register_reactivate,
    register_release_device,
)
from stores.actors import OutOfScope
from tests.forms import field_errors

pytestmark = pytest.mark.django_db

OPS = Actor("manage.py (tests)")
NEW_URL = reverse("registers:create")


@pytest.fixture
def downtown_till(downtown):
    """Downtown's register, held by a device: (register, key)."""
    register, key = register_create(name="Front desk", store=downtown, actor=OPS)
    register_claim(register=register, device="dt-till")
    return register, key


@pytest.fixture
def riverside_till(riverside):
    return register_create(name="Back counter", store=riverside, actor=OPS)


def url(name, register):
    return reverse(f"registers:{name}", args=[register.pk])


class TestThePages:
    def test_the_list_shows_the_registers_of_the_stores_held(
        self, rhea_client, downtown_till, riverside_till
    ):
        names = [
            row.name for row in rhea_client.get(reverse("registers:list")).context["table"].data
        ]

        assert names == ["Back counter"]

    @pytest.mark.parametrize(
        ("name", "method"),
        [("detail", "get"), ("deactivate", "get"), ("deactivate", "post"),
         ("reactivate", "post"), ("release", "post")],
    )  # fmt: skip
    def test_another_stores_register_is_not_found(self, rhea_client, downtown_till, name, method):
        register, key = downtown_till
        if name == "reactivate":
            register_deactivate(register=register, actor=OPS)

        response = getattr(rhea_client, method)(url(name, register))

        assert response.status_code == 404
        after = Register.objects.get(pk=register.pk)
        assert (after.key_hash, after.device) == (key_hash(key), "dt-till")
        assert after.is_active is (name != "reactivate")
        assert not AuditEvent.objects.filter(object_id=register.pk, user__isnull=False).exists()

    def test_the_new_register_form_offers_only_the_stores_held(
        self, rhea_client, downtown, riverside
    ):
        choices = rhea_client.get(NEW_URL).context["form"].fields["store"].queryset

        assert list(choices) == [riverside]
        response = rhea_client.post(NEW_URL, {"name": "Till", "store": downtown.pk})
        assert field_errors(response, "store")
        assert not Register.objects.exists()

    def test_a_manager_of_every_store_sees_and_acts_on_every_register(
        self, manager_client, downtown_till, riverside_till, downtown
    ):
        table = manager_client.get(reverse("registers:list")).context["table"]
        assert len(table.data) == 2
        register, _ = downtown_till

        assert manager_client.post(url("deactivate", register)).status_code == 302
        assert not Register.objects.get(pk=register.pk).is_active


class TestTheServicesRefuseThemselves:
    def test_creating_in_a_store_not_held(self, rhea, downtown):
        with pytest.raises(OutOfScope):
            register_create(name="Till", store=downtown, actor=rhea)

        assert not Register.objects.exists()

    def test_deactivating_reactivating_and_releasing_another_stores_register(
        self, rhea, downtown_till
    ):
        register, key = downtown_till
        for service in (register_deactivate, register_reactivate, register_release_device):
            with pytest.raises(OutOfScope):
                service(register=register, actor=rhea)

        assert Register.objects.holding(key).device == "dt-till"

    def test_a_register_as_actor_acts_in_its_own_store_only(self, downtown_till, riverside):
        register, _ = downtown_till

        with pytest.raises(OutOfScope):
            register_create(name="Till", store=riverside, actor=register)

    def test_within_the_stores_held_they_go_through(self, rhea, riverside_till):
        register, _ = riverside_till

        assert register_deactivate(register=register, actor=rhea)
        assert register_reactivate(register=register, actor=rhea)


class TestDeactivatingAsksFirst:
    def test_the_registers_page_links_to_a_question_that_changes_nothing(
        self, manager_client, downtown_till
    ):
        register, key = downtown_till
        page = manager_client.get(register.get_absolute_url()).text
        assert f'href="{url("deactivate", register)}"' in page
        assert f'action="{url("deactivate", register)}"' not in page

        question = manager_client.get(url("deactivate", register))

        assert question.status_code == 200
        assert f'action="{url("deactivate", register)}"' in question.text
        assert "Cancel" in question.text and "is refused" in question.text
        assert Register.objects.holding(key) == register

    def test_answering_it_deactivates(self, manager_client, downtown_till):
        register, key = downtown_till

        response = manager_client.post(url("deactivate", register))

        assert response.url == register.get_absolute_url()
        assert Register.objects.holding(key) is None

    def test_a_deactivated_register_is_not_asked_about_again(self, manager_client, downtown_till):
        register, _ = downtown_till
        register_deactivate(register=register, actor=OPS)

        response = manager_client.get(url("deactivate", register))

        assert response.url == register.get_absolute_url()


class TestReleasingTheDevice:
    def test_the_page_shows_the_device_and_releases_it_with_an_event(
        self, manager_client, manager, downtown_till
    ):
        register, key = downtown_till
        page = manager_client.get(register.get_absolute_url()).text
        assert "dt-till" in page and "Release the device" in page

        response = manager_client.post(url("release", register), follow=True)

        assert "the next device to use its key holds it" in response.text
        register.refresh_from_db()
        assert (register.device, register.device_since) == ("", None)
        event = AuditEvent.objects.filter(object_id=register.pk).latest("pk")
        assert event.user == manager and event.summary.startswith("Released the device dt-till")
        assert register_claim(register=register, device="new-till")

    def test_store_staff_may_not_release(self, clerk_client, downtown_till):
        register, _ = downtown_till

        assert clerk_client.post(url("release", register)).status_code == 403
        assert Register.objects.get(pk=register.pk).device == "dt-till"

    def test_reactivating_releases_the_device_deactivating_does_not(self, downtown_till):
        register, _ = downtown_till

        register_deactivate(register=register, actor=OPS)
        assert Register.objects.get(pk=register.pk).device == "dt-till"
        register_reactivate(register=register, actor=OPS)
        assert Register.objects.get(pk=register.pk).device == ""


class TestTheCommandsActAsNamedActors:
    def test_deactivate_register_is_named_in_the_event(self, downtown_till):
        register, _ = downtown_till

        call_command(
            "deactivate_register", "--name", "Front desk", "--store", "DT01", stdout=StringIO()
        )

        event = AuditEvent.objects.filter(object_id=register.pk).latest("pk")
        assert (event.user, event.user_name) == (None, "manage.py deactivate_register")
