"""Who may open what: every URL of the app against every role.

Expected outcomes: "login" (sent to sign in), 403 (refused), or "ok" (the page or action
works: a 200, or the redirect that follows a successful POST).
"""

import pytest
from django.urls import reverse

from customers.models import Customer
from tests.factories import image_upload, make_customer, make_user

ROLES = ["visitor", "outsider", "clerk", "manager", "superuser"]

# (name, method, url builder, expected outcome per role in ROLES order)
MATRIX = [
    ("list", "get", lambda c, d: reverse("customers:list"), ["login", 403, "ok", "ok", "ok"]),
    (
        "customer page",
        "get",
        lambda c, d: reverse("customers:detail", args=[c.pk]),
        ["login", 403, "ok", "ok", "ok"],
    ),
    (
        "photo",
        "get",
        lambda c, d: reverse("customers:photo", args=[c.pk]),
        ["login", 403, "ok", "ok", "ok"],
    ),
    ("new form", "get", lambda c, d: reverse("customers:create"), ["login", 403, "ok", "ok", "ok"]),
    ("create", "post", lambda c, d: reverse("customers:create"), ["login", 403, "ok", "ok", "ok"]),
    (
        "edit form",
        "get",
        lambda c, d: reverse("customers:edit", args=[c.pk]),
        ["login", 403, "ok", "ok", "ok"],
    ),
    (
        "update",
        "post",
        lambda c, d: reverse("customers:edit", args=[c.pk]),
        ["login", 403, "ok", "ok", "ok"],
    ),
    (
        "delete",
        "post",
        lambda c, d: reverse("customers:bulk_delete"),
        ["login", 403, 403, "ok", "ok"],
    ),
    (
        "deleted list",
        "get",
        lambda c, d: reverse("customers:deleted"),
        ["login", 403, "ok", "ok", "ok"],
    ),
    ("restore", "post", lambda c, d: reverse("customers:restore"), ["login", 403, 403, "ok", "ok"]),
    ("purge", "post", lambda c, d: reverse("customers:purge"), ["login", 403, 403, 403, "ok"]),
    ("export", "get", lambda c, d: reverse("customers:export"), ["login", 403, 403, "ok", "ok"]),
    (
        "choose store",
        "post",
        lambda c, d: reverse("stores:choose"),
        ["login", "ok", "ok", "ok", "ok"],
    ),
    ("admin", "get", lambda c, d: reverse("admin:index"), ["admin-login"] * 4 + ["ok"]),
    (
        "admin customer",
        "get",
        lambda c, d: reverse("admin:customers_customer_change", args=[c.pk]),
        ["admin-login"] * 4 + ["ok"],
    ),
    (
        "admin loyalty ledger",
        "get",
        lambda c, d: reverse("admin:loyalty_loyaltyledgerentry_changelist"),
        ["admin-login"] * 4 + ["ok"],
    ),
]


@pytest.fixture
def people(db):
    return {
        "visitor": None,
        "outsider": make_user("outsider"),
        "clerk": make_user("clerk", groups=["Store staff"]),
        "manager": make_user("manager", groups=["Managers"]),
        "superuser": make_user("root", is_superuser=True, is_staff=True),
    }


@pytest.fixture
def customer(downtown):
    return make_customer(
        first_name="Secret",
        last_name="Person",
        stores=[downtown],
        loyalty_balance=10,
        photo=image_upload(),
    )


@pytest.fixture
def deleted_customer(downtown):
    deleted = make_customer(first_name="Gone", stores=[downtown])
    Customer.objects.filter(pk=deleted.pk).update(deleted_at="2026-01-01T00:00:00Z")
    return deleted


def post_data(name, customer, deleted_customer, downtown):
    if name in ("create", "update"):
        return {
            "first_name": "New",
            "last_name": "Name",
            "email": f"{name}@example.com",
            "stores": downtown.pk,
            "version": customer.version,
        }
    if name == "delete":
        return {"selected": customer.pk}
    if name in ("restore", "purge"):
        return {"selected": deleted_customer.pk}
    if name == "choose store":
        return {"store": downtown.pk}
    return {}


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
@pytest.mark.parametrize(("name", "method", "url", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
def test_access(
    client, people, customer, deleted_customer, downtown, role_index, name, method, url, expected
):
    person = people[ROLES[role_index]]
    if person:
        client.force_login(person)
    target = url(customer, deleted_customer)

    if method == "get":
        response = client.get(target)
    else:
        response = client.post(target, post_data(name, customer, deleted_customer, downtown))

    outcome = expected[role_index]
    if outcome == "login":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    elif outcome == "admin-login":
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    elif outcome == 403:
        assert response.status_code == 403
    else:
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert not response.url.startswith(reverse("login"))
        if name == "create" or name == "update":
            assert response.status_code == 302, "the save went through"


@pytest.mark.parametrize("role", ["visitor", "outsider"])
def test_refused_pages_do_not_show_the_customer(client, people, customer, role):
    if people[role]:
        client.force_login(people[role])

    for url in (
        reverse("customers:list"),
        reverse("customers:detail", args=[customer.pk]),
        reverse("customers:edit", args=[customer.pk]),
        reverse("customers:export"),
        reverse("customers:deleted"),
    ):
        response = client.get(url, follow=True)
        assert b"Secret" not in response.content
        assert b"Person" not in response.content


def test_unknown_customer_is_404_for_staff(client, people):
    client.force_login(people["clerk"])

    assert client.get(reverse("customers:detail", args=[99999])).status_code == 404
    assert client.get(reverse("customers:photo", args=[99999])).status_code == 404
