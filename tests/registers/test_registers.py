"""Registers (the tills): created by a manager with a key shown once, deactivated (the key
is refused at once) and reactivated with a new key; the same for ops from the shell. Every
one of these is an audit event."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from backoffice.models import AuditEvent
from registers.models import Register, key_hash
from registers.services import register_create
from tests.factories import OPS
from tests.forms import field_errors, form_data

pytestmark = pytest.mark.django_db

LIST_URL = reverse("registers:list")
NEW_URL = reverse("registers:create")


def create_front_desk(manager_client, store):
    """+ New Register through the page: (the register, the key the page showed)."""
    response = manager_client.post(NEW_URL, {"name": "Front desk", "store": store.pk})
    assert response.status_code == 200
    return Register.objects.get(name="Front desk"), response.context["key"]


def test_a_manager_creates_a_register_and_sees_its_key_once(manager_client, downtown):
    register, key = create_front_desk(manager_client, downtown)

    assert len(key) >= 40
    assert register.key_prefix == key[:8] and register.key_hash == key_hash(key)
    assert key not in str(Register.objects.values().get())  # only its hash is kept
    assert Register.objects.holding(key) == register
    for page in (LIST_URL, register.get_absolute_url()):
        text = manager_client.get(page).text
        assert f"{key[:8]}…" in text and key not in text


def test_the_list_shows_name_store_status_last_seen_and_the_keys_start(manager_client, downtown):
    register, key = create_front_desk(manager_client, downtown)

    table = manager_client.get(LIST_URL).context["table"]

    assert [str(column.header) for column in table.columns] == [
        "Name", "Store", "Status", "Last seen", "Key",
    ]  # fmt: skip
    text = manager_client.get(LIST_URL).text
    assert "Front desk" in text and "Downtown" in text and "Active" in text


def test_a_stores_register_names_are_unique_with_the_message_by_the_name(
    manager_client, downtown, riverside
):
    create_front_desk(manager_client, downtown)

    response = manager_client.post(NEW_URL, {"name": "front DESK", "store": downtown.pk})

    assert field_errors(response, "name") == ["Downtown already has a register named front DESK."]
    assert form_data(response, "object-form")["name"] == ["front DESK"]
    elsewhere = manager_client.post(NEW_URL, {"name": "Front desk", "store": riverside.pk})
    assert elsewhere.status_code == 200 and Register.objects.count() == 2


def test_a_deactivated_registers_key_is_refused_at_once(manager_client, downtown):
    register, key = create_front_desk(manager_client, downtown)

    response = manager_client.post(reverse("registers:deactivate", args=[register.pk]))

    assert response.url == register.get_absolute_url()
    assert Register.objects.holding(key) is None
    register.refresh_from_db()
    assert (register.status, register.deactivated_at is not None) == ("Deactivated", True)
    assert "Reactivate with a new key" in manager_client.get(register.get_absolute_url()).text


def test_reactivating_issues_a_new_key_and_the_old_one_never_works_again(manager_client, downtown):
    register, old_key = create_front_desk(manager_client, downtown)
    manager_client.post(reverse("registers:deactivate", args=[register.pk]))

    response = manager_client.post(reverse("registers:reactivate", args=[register.pk]))

    new_key = response.context["key"]
    assert new_key != old_key
    assert Register.objects.holding(new_key) == register
    assert Register.objects.holding(old_key) is None
    assert "The register's earlier key no longer works." in response.text


def test_every_register_action_is_an_audit_event(manager_client, manager, downtown):
    register, _ = create_front_desk(manager_client, downtown)
    manager_client.post(reverse("registers:deactivate", args=[register.pk]))
    manager_client.post(reverse("registers:reactivate", args=[register.pk]))

    events = AuditEvent.objects.filter(object_id=register.pk).order_by("pk")

    assert [(event.user, event.object_repr) for event in events] == [
        (manager, "Register Front desk (DT01)")
    ] * 3
    assert [event.summary.split()[0] for event in events] == [
        "Created", "Deactivated:", "Reactivated",
    ]  # fmt: skip


@pytest.mark.parametrize("url_name", ["list", "create"])
def test_store_staff_cannot_see_or_create_registers(clerk_client, url_name):
    assert clerk_client.get(reverse(f"registers:{url_name}")).status_code == 403


def test_store_staff_cannot_deactivate_a_register(clerk_client, downtown):
    register, key = register_create(name="Front desk", store=downtown, actor=OPS)

    response = clerk_client.post(reverse("registers:deactivate", args=[register.pk]))

    assert response.status_code == 403
    assert Register.objects.holding(key) == register


def test_deactivating_needs_a_post_a_get_only_asks(manager_client, downtown):
    register, key = register_create(name="Front desk", store=downtown, actor=OPS)

    response = manager_client.get(reverse("registers:deactivate", args=[register.pk]))

    assert response.status_code == 200 and "Deactivate Register Front desk" in response.text
    assert Register.objects.holding(key) == register


class TestTheCommands:
    def test_create_register_prints_the_key_alone_on_its_last_line(self, downtown):
        out = StringIO()

        call_command("create_register", "--name", "Front desk", "--store", "dt01", stdout=out)

        key = out.getvalue().splitlines()[-1]
        register = Register.objects.holding(key)
        assert (register.name, register.store) == ("Front desk", downtown)
        event = AuditEvent.objects.get(object_id=register.pk)
        assert (event.user, event.user_name) == (None, "manage.py create_register")

    def test_deactivate_register_refuses_its_key(self, downtown):
        register, key = register_create(name="Front desk", store=downtown, actor=OPS)

        call_command(
            "deactivate_register", "--name", "Front desk", "--store", "DT01", stdout=StringIO()
        )

        assert Register.objects.holding(key) is None

    @pytest.mark.parametrize(
        ("command", "store", "message"),
        [
            ("create_register", "XX99", "No store has the code XX99."),
            ("deactivate_register", "DT01", "No register named Back office at the store DT01."),
        ],
    )
    def test_an_unknown_store_or_register_is_a_clear_error(self, downtown, command, store, message):
        with pytest.raises(CommandError, match=message):
            call_command(command, "--name", "Back office", "--store", store, stdout=StringIO())

    def test_a_name_taken_in_the_store_is_a_clear_error(self, downtown):
        register_create(name="Front desk", store=downtown, actor=OPS)

        with pytest.raises(CommandError, match="Downtown already has a register named Front desk"):
            call_command(
                "create_register", "--name", "Front desk", "--store", "DT01", stdout=StringIO()
            )
