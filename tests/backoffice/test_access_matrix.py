"""Store B's objects are out of reach from store A, through every door: every URL of the app
(walked from the URL resolver) and every operation of the registers' API (read from its
OpenAPI schema) is tried by each actor of store A on an object of store B.

The actors of store A: a one-store manager, a cashier, and a register. Each gets a 404 (the
object is not theirs to see) or a 403 (the action is not theirs to do), for every method
the URL's view answers. A person's session opens no API operation (401 or 403), and a
register's key opens no page (sent to sign in).

So that the fixtures are known to be real, someone who may reach the object gets through
with the very same request: the chain-wide manager on the pages (the export's requester for
an export, the superuser for a purge) and store B's register on the API.

A URL or an operation must say how to reach a store B object (``STORE_B_OBJECT``,
``STORE_B_OPERATIONS``), or be declared as reaching none (``NO_STORE_OBJECT``,
``NO_STORE_OPERATION``), each with the reason: a new one that does neither fails
``test_every_url_is_in_the_matrix`` or ``test_every_api_operation_is_in_the_matrix``.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from backoffice.models import Export
from customers.models import Customer
from house_accounts.models import HouseAccount
from imports.models import CustomerImport
from loyalty.services import card_assign, card_batch_generate
from memberships.services import membership_add_member
from registers.services import register_create
from sales.services import record_sale
from tests.backoffice.test_permissions import app_url_names
from tests.factories import (
    OPS,
    image_upload,
    make_customer,
    make_house_account,
    make_membership,
    make_user,
)
from tests.tills import till_client

pytestmark = pytest.mark.django_db

# URLs that reach no object of a store: what they show or change is the actor's own, the
# chain's, or a list narrowed to what the actor may see (each tested where named).
NO_STORE_OBJECT = {
    # Signing in and out, and one's own password: Django's own views.
    "home", "login", "logout", "password_change", "password_change_done",
    # Lists, searches and exports of lists: each holds what the actor may see
    # (tests/customers/test_store_scope.py, test_the_cashier_lists_no_customer_of_another_store
    # in tests/backoffice/test_permissions.py, tests/jobs, tests/registers/test_register_scope.py).
    "customers:list", "customers:lookup", "customers:deleted", "customers:export",
    "customers:export_excel_csv", "customers:export_xlsx", "loyalty:batches",
    "memberships:types", "memberships:plans", "memberships:accounts", "house_accounts:list",
    "imports:list", "registers:list", "staff:list", "export_list", "jobs:list", "audit",
    # "New" forms: what they make is the actor's. A store or a customer outside the actor's
    # is not among their choices (a form error), and the services refuse it as well
    # (tests/backoffice/test_service_matrix.py).
    "customers:create", "imports:upload", "imports:template", "loyalty:batch_create",
    "memberships:type_create", "memberships:plan_create", "memberships:account_create",
    "house_accounts:create", "registers:create",
    # The chain's catalogue and settings, the same in every store.
    "memberships:type_edit", "memberships:type_delete", "memberships:plan_edit",
    "memberships:plan_delete", "loyalty:settings",
    # The person's own choices: their store in the top bar (another store's is a 400, see
    # tests/customers/test_store_scope.py), their default store, a table's columns.
    "stores:choose", "stores:settings", "table_columns",
}  # fmt: skip

# The registers' API: each of its operations is in the schema's matrix below, and the schema
# and its docs are read by registers and managers alike (tests/registers/test_api.py).
API_DOCS = {"api_schema", "api_docs"}


# A sale of store B's register to store B's customer.
SALE_B = {"id": "R-B-0", "total": Decimal("10.00"), "occurred_at": timezone.now()}


@dataclass
class World:
    """Store A's actors, and store B's objects with the people who may reach them."""

    store_a: object
    store_manager: object
    cashier: object
    register_key: str
    chain_manager: object
    superuser: object
    store_b_manager: object
    store_b_register_key: str
    customer: Customer
    deleted_customer: Customer
    house_account: object
    membership: object
    batch: object
    customer_import: CustomerImport
    export: Export
    register: object


@pytest.fixture
def world(riverside, downtown, cashier):
    """Store A is Riverside, store B Downtown. Every store B object a URL may name."""
    store_b_manager = make_user("dan", groups=["Managers"], stores=[downtown])
    customer = make_customer(
        first_name="Secret", last_name="Person", email="secret@example.com",
        stores=[downtown], loyalty_balance=10, photo=image_upload(),
    )  # fmt: skip
    deleted_customer = make_customer(first_name="Gone", stores=[downtown])
    Customer.objects.filter(pk=deleted_customer.pk).update(deleted_at=timezone.now())
    membership = make_membership(make_customer(stores=[downtown]))
    membership_add_member(account=membership, customer=make_customer(stores=[downtown]), actor=OPS)
    batch = card_batch_generate(size=1, actor=OPS)  # its one card given to store B's customer
    card_assign(customer=customer, code=batch.cards.get().code, actor=OPS)
    customer_import = CustomerImport(
        name="customers.csv", created_by=store_b_manager,
        header=["first_name", "last_name", "email", "stores"],
    )  # fmt: skip
    customer_import.file.save(
        "customers.csv", ContentFile(b"first_name,last_name,email,stores\nA,B,a@b.org,DT01\n")
    )
    export = Export(
        title="Customers", list_view="customers.views.CustomerListView",
        filename="customers.csv", created_by=store_b_manager, status=Export.Status.DONE,
    )  # fmt: skip
    export.file.save("customers.csv", ContentFile(b"id\n"))
    register_a, register_key = register_create(name="Till A", store=riverside, actor=OPS)
    register_b, store_b_register_key = register_create(name="Till B", store=downtown, actor=OPS)
    record_sale(register=register_b, sale=SALE_B | {"customer": customer}, fingerprint="B-0")
    return World(
        store_a=riverside,
        store_manager=make_user("rhea", groups=["Managers"], stores=[riverside]),
        cashier=cashier,
        register_key=register_key,
        chain_manager=make_user("mona", groups=["Managers"]),
        superuser=make_user("root", is_superuser=True, is_staff=True),
        store_b_manager=store_b_manager,
        store_b_register_key=store_b_register_key,
        customer=customer,
        deleted_customer=deleted_customer,
        house_account=make_house_account(customer, opening_balance="5.00"),
        membership=membership,
        batch=batch,
        customer_import=customer_import,
        export=export,
        register=register_b,
    )


def customer(world):
    return {"pk": world.customer.pk}, {}


def ledger_of(world):
    return {"customer_pk": world.customer.pk}, {}


def house_account(world):
    return {"pk": world.house_account.pk}, {}


def membership(world):
    return {"pk": world.membership.pk}, {}


def customer_import(world):
    return {"pk": world.customer_import.pk}, {}


def export(world):
    return {"pk": world.export.pk}, {}


def register(world):
    return {"pk": world.register.pk}, {}


# How each URL reaches a store B object: (the URL's arguments, the POST's data). The data is
# what a person of store B would send, so that the request does something when let through.
STORE_B_OBJECT = {
    "customers:detail": customer,
    "customers:photo": customer,
    "customers:edit": lambda w: (
        {"pk": w.customer.pk},
        {
            "first_name": "Changed",
            "last_name": "Person",
            "email": "secret@example.com",
            "stores": w.customer.stores.get().pk,
            "version": w.customer.version,
        },
    ),  # fmt: skip
    "customers:clear_bounce": customer,
    # The exact key that found the customer is what lets another store add them.
    "customers:add_to_store": lambda w: ({"pk": w.customer.pk}, {"q": "not-their-key"}),
    "privacy:data_request": customer,
    "privacy:erase": lambda w: ({"pk": w.customer.pk}, {"name": str(w.customer)}),
    "sales:customer_sales": ledger_of,
    "loyalty:ledger": ledger_of,
    "loyalty:adjust": lambda w: (
        {"customer_pk": w.customer.pk},
        {"delta": "5", "reason": "goodwill"},
    ),
    "loyalty:assign_card": lambda w: ({"customer_pk": w.customer.pk}, {"code": ""}),
    "loyalty:sheet": lambda w: ({"pk": w.batch.pk}, {}),
    "loyalty:sheet_pdf": lambda w: ({"pk": w.batch.pk}, {}),
    "memberships:account": membership,
    "memberships:account_edit": lambda w: (
        {"pk": w.membership.pk},
        {"description": "Changed", "version": w.membership.version},
    ),
    "memberships:charge": lambda w: (
        {"pk": w.membership.pk},
        {"kind": "charge", "amount": "5.00", "store": w.customer.stores.get().pk},
    ),
    "memberships:member_add": lambda w: (
        {"pk": w.membership.pk},
        {"customer": make_customer(stores=w.customer.stores.all()).pk},
    ),
    "memberships:member_remove": lambda w: (
        {"pk": w.membership.pk},
        {"customer": w.membership.seats.get(is_holder=False).customer_id},
    ),
    "house_accounts:account": house_account,
    "house_accounts:edit": lambda w: (
        {"pk": w.house_account.pk},
        {"account_number": "EDITED", "version": w.house_account.version},
    ),
    "house_accounts:entry": lambda w: (
        {"pk": w.house_account.pk},
        {"kind": "charge", "amount": "1.00", "store": w.customer.stores.get().pk},
    ),
    "house_accounts:statement": house_account,
    # An import is its uploader's (and a chain-wide manager's): store B's manager uploaded it.
    "imports:detail": customer_import,
    "imports:mapping": customer_import,
    "imports:progress": customer_import,
    "imports:commit": customer_import,
    "imports:valid_rows": customer_import,
    "imports:cancel": customer_import,
    "imports:run_again": customer_import,
    "imports:errors": customer_import,
    # An export is its requester's alone: store B's manager asked for it.
    "export_detail": export,
    "export_progress": export,
    "export_download": export,
    "export_run_again": export,
    "registers:detail": register,
    "registers:deactivate": register,
    "registers:reactivate": register,
    "registers:release": register,
    # Store B's manager, given a store of store A's manager.
    "staff:stores": lambda w: ({"pk": w.store_b_manager.pk}, {"stores": [w.store_a.pk]}),
}

# Bulk actions act on the rows ticked in a list, POSTed as ``selected`` (a GET goes back to
# the list): (the store B row to tick, whether it is as it was). A row outside the actor's
# sight is not among the rows they may tick: the action has nothing to confirm or do, and
# sends them back to the list, as if nothing had been ticked.
STORE_B_ROWS = {
    "customers:bulk_delete": (
        lambda w: w.customer.pk,
        lambda w: Customer.objects.filter(pk=w.customer.pk).exists(),
    ),
    "customers:restore": (
        lambda w: w.deleted_customer.pk,
        lambda w: not Customer.objects.filter(pk=w.deleted_customer.pk).exists(),
    ),
    "customers:purge": (
        lambda w: w.deleted_customer.pk,
        lambda w: Customer.all_objects.filter(pk=w.deleted_customer.pk).exists(),
    ),
    "house_accounts:delete": (
        lambda w: w.house_account.pk,
        lambda w: HouseAccount.objects.filter(pk=w.house_account.pk).exists(),
    ),
}

# Who may reach the object, to show that the request does something when let through: the
# chain-wide manager, unless named here.
LET_THROUGH = {
    "export_detail": "store_b_manager",
    "export_progress": "store_b_manager",
    "export_download": "store_b_manager",
    "export_run_again": "store_b_manager",
    # Purging, erasing and a data request are in no role: the superuser's.
    "customers:purge": "superuser",
    "privacy:data_request": "superuser",
    "privacy:erase": "superuser",
}


def app_urls(resolver=None, namespace="", prefix=""):
    """(name, route, view class) of every named URL of the app, as ``app_url_names``."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from app_urls(entry, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern), entry.callback.view_class


URLS = {name: (route, view) for name, route, view in app_urls()}
PAGES = {name for name, (route, _) in URLS.items() if not route.startswith("api/")}


def methods_of(view):
    """The methods a view answers, besides HEAD and OPTIONS: GET and POST at least."""
    return [
        method
        for method in view.http_method_names
        if method not in ("head", "options") and hasattr(view, method)
    ]


def test_every_url_is_in_the_matrix():
    assert set(URLS) == set(app_url_names())
    declared = [NO_STORE_OBJECT, set(STORE_B_OBJECT), set(STORE_B_ROWS)]
    unaccounted = PAGES - set().union(*declared)
    assert not unaccounted, "How does each reach a store B object? Or add it to NO_STORE_OBJECT."
    assert sum(len(names) for names in declared) == len(set().union(*declared)), "once each"
    assert set().union(*declared) <= PAGES


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def request(client, method, url, data):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, data)


@pytest.mark.parametrize("name", sorted(STORE_B_OBJECT))
def test_store_a_reaches_no_page_of_store_b(world, name):
    kwargs, data = STORE_B_OBJECT[name](world)
    url = reverse(name, kwargs=kwargs)
    methods = methods_of(URLS[name][1])
    assert "get" in methods or "post" in methods

    for method in methods:
        for actor in ("store_manager", "cashier"):
            response = request(signed_in(getattr(world, actor)), method, url, data)
            assert response.status_code in (403, 404), (actor, method, response.status_code)
        response = request(till_client(world.register_key), method, url, data)
        assert response.status_code == 302, ("register", method)
        assert response.url.startswith(reverse("login"))

    for method in methods:  # the writes last: the reads see the object as it was
        let_through = getattr(world, LET_THROUGH.get(name, "chain_manager"))
        response = request(signed_in(let_through), method, url, data)
        assert response.status_code not in (403, 404), (method, response.status_code)


@pytest.mark.parametrize("name", sorted(STORE_B_ROWS))
def test_store_a_ticks_no_row_of_store_b(world, name):
    row, as_it_was = STORE_B_ROWS[name]
    url, view = reverse(name), URLS[name][1]
    assert methods_of(view) == ["get", "post"]
    let_through = signed_in(getattr(world, LET_THROUGH.get(name, "chain_manager")))
    assert let_through.get(url).status_code == 302  # back to the list

    for actor in ("store_manager", "cashier"):
        client = signed_in(getattr(world, actor))
        for data in ({"selected": row(world)}, {"selected": row(world), "confirm": "1"}):
            response = client.post(url, data)
            assert response.status_code in (302, 403), (actor, data, response.status_code)
            assert as_it_was(world), (actor, data)
    response = till_client(world.register_key).post(url, {"selected": row(world)})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))

    if view.needs_confirmation:
        confirmation = let_through.post(url, {"selected": row(world)})
        assert confirmation.status_code == 200
        assert [obj.pk for obj in confirmation.context["objects"]] == [row(world)]
    else:
        assert let_through.post(url, {"selected": row(world)}).status_code == 302
        assert not as_it_was(world)


def schema_operations():
    """(method, path) of every operation in the registers' API's OpenAPI schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }


IN_THE_SCHEMA = schema_operations()

# Operations that reach no object of a store: a search holds the register's store's
# customers, and another store's found by an exact key by name, email and phone only; a new
# customer is the register's store's (tests/registers/test_api_store_scope.py).
NO_STORE_OPERATION = {
    ("GET", "/api/v1/customers/"),
    ("POST", "/api/v1/customers/"),
}


def sale_to(w):
    body = {"id": "R-B-1", "customer": w.customer.pk, "total": "10.00",
            "occurred_at": timezone.now().isoformat()}  # fmt: skip
    return {}, body


# How each operation reaches a store B object: (the path's parameters, the JSON body), what
# store B's register would send.
STORE_B_OPERATIONS = {
    ("GET", "/api/v1/customers/{id}/"): lambda w: ({"id": w.customer.pk}, None),
    ("PATCH", "/api/v1/customers/{id}/"): lambda w: (
        {"id": w.customer.pk},
        {"first_name": "Changed", "version": w.customer.version},
    ),
    # The exact key a customer was found by adds them to another store: any other is a 404.
    ("POST", "/api/v1/customers/{id}/add-to-store/"): lambda w: (
        {"id": w.customer.pk},
        {"key": "not-their-key@example.com"},
    ),
    ("POST", "/api/v1/sales/"): sale_to,
    ("GET", "/api/v1/sales/{receipt}/"): lambda w: ({"receipt": SALE_B["id"]}, None),
    ("GET", "/api/v1/customers/{id}/sales/"): lambda w: ({"id": w.customer.pk}, None),
}


def api_url(path, params):
    return re.sub(r"\{(\w+)\}", lambda match: str(params[match.group(1)]), path)


def test_every_api_operation_is_in_the_matrix():
    declared = NO_STORE_OPERATION | set(STORE_B_OPERATIONS)
    unaccounted = IN_THE_SCHEMA - declared
    assert not unaccounted, "How does each reach a store B object? Or NO_STORE_OPERATION."
    assert declared <= IN_THE_SCHEMA
    assert not NO_STORE_OPERATION & set(STORE_B_OPERATIONS)
    in_the_schema = {
        resolve(api_url(path, {"id": 1, "receipt": "R1"})).url_name for _, path in IN_THE_SCHEMA
    }
    api_urls = {name for name, (route, _) in URLS.items() if route.startswith("api/")}
    assert api_urls == in_the_schema | API_DOCS


def test_the_schema_a_register_reads_has_these_operations(world):
    schema = till_client(world.register_key).get(reverse("api_schema"), {"format": "json"})

    assert schema.status_code == 200
    served = {
        (method.upper(), path) for path, ops in schema.json()["paths"].items() for method in ops
    }
    assert served == IN_THE_SCHEMA


def api_call(client, method, url, body):
    if body is None:
        return getattr(client, method.lower())(url)
    return getattr(client, method.lower())(url, body, format="json")


@pytest.mark.parametrize(("method", "path"), sorted(STORE_B_OPERATIONS), ids=" ".join)
def test_store_a_reaches_no_api_operation_on_store_b(world, method, path):
    params, body = STORE_B_OPERATIONS[(method, path)](world)
    url = api_url(path, params)

    answer = api_call(till_client(world.register_key), method, url, body)
    assert answer.status_code in (403, 404), answer.content
    assert answer["Content-Type"] == "application/json"
    for actor in ("store_manager", "cashier", "chain_manager"):
        client = APIClient()
        client.force_login(getattr(world, actor))
        answer = api_call(client, method, url, body)
        assert answer.status_code in (401, 403), (actor, answer.status_code)

    answer = api_call(till_client(world.store_b_register_key), method, url, body)
    assert answer.status_code in (200, 201), answer.content
