"""Who may open what: every URL of the app against every persona of ``tests/conftest.py``.

``ACCESS`` has one row per URL name: the method the page is used with and who may use it
(a permission, or ``SIGNED_IN``). A persona holding that permission gets the page or the
action (a 200, or the redirect that follows a successful POST); one without it gets a 403;
a signed-out visitor is sent to sign in. A URL of the app without a row fails
``test_every_url_has_a_row``, so a new view is one new row here.
"""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from backoffice.models import Export
from customers.models import Customer
from imports.models import CustomerImport
from loyalty.services import card_batch_generate
from memberships.services import membership_add_member
from registers.services import register_create
from tests.factories import OPS, image_upload, make_customer, make_house_account, make_membership

PERSONAS = ["visitor", "outsider", "clerk", "cashier", "manager", "superuser"]
SIGNED_IN = "signed in"
SUPERUSER = "superuser"
# The cashier holds Riverside alone; the customer of the pages below is Downtown's. Asked
# about them, or an account of theirs, the cashier is told it does not exist.
SCOPED = "cashier"
OUT_OF_SIGHT = {
    "customers:detail", "customers:photo", "customers:edit", "customers:add_to_store",
    "customers:clear_bounce", "loyalty:ledger", "loyalty:adjust", "loyalty:assign_card",
    "sales:customer_sales", "memberships:account", "memberships:charge",
    "house_accounts:account", "house_accounts:entry", "house_accounts:statement",
}  # fmt: skip
# Saves refused to the cashier for naming Downtown: a new customer in none of their stores
# (the form says so), Downtown in the top bar (400) or as their default store (the form).
REFUSED_OUT_OF_SIGHT = {"customers:create": 200, "stores:choose": 400, "stores:settings": 200}

ACCESS = {
    "customers:list": ("get", "customers.view_customer"),
    "customers:detail": ("get", "customers.view_customer"),
    "customers:photo": ("get", "customers.view_customer"),
    "customers:create": ("post", "customers.add_customer"),
    "customers:edit": ("post", "customers.change_customer"),
    "customers:bulk_delete": ("post", "customers.delete_customer"),
    "customers:deleted": ("get", "customers.view_customer"),
    "customers:restore": ("post", "customers.restore_customer"),
    "customers:purge": ("post", "customers.purge_customer"),
    "customers:export": ("post", "customers.export_customer"),
    "customers:export_excel_csv": ("post", "customers.export_customer"),
    "customers:export_xlsx": ("post", "customers.export_customer"),
    "stores:choose": ("post", SIGNED_IN),
    "stores:settings": ("post", SIGNED_IN),
    "audit": ("get", "backoffice.view_auditevent"),
    "jobs:list": ("get", "jobs.view_job"),
    "table_columns": ("post", SIGNED_IN),
    "loyalty:ledger": ("get", "loyalty.view_loyaltyledgerentry"),
    "loyalty:adjust": ("post", "loyalty.change_loyaltyaccount"),
    "loyalty:assign_card": ("post", "loyalty.change_loyaltycard"),
    "loyalty:batches": ("get", "loyalty.view_loyaltycardbatch"),
    "loyalty:batch_create": ("post", "loyalty.add_loyaltycardbatch"),
    "loyalty:sheet": ("get", "loyalty.view_loyaltycardbatch"),
    "loyalty:sheet_pdf": ("get", "loyalty.view_loyaltycardbatch"),
    "customers:lookup": ("get", "customers.view_customer"),
    "customers:add_to_store": ("post", "customers.change_customer"),
    "customers:clear_bounce": ("post", "customers.change_customer"),
    "privacy:data_request": ("get", "customers.export_customer_data"),
    "privacy:erase": ("post", "customers.erase_customer"),
    "memberships:types": ("get", "memberships.view_membershiptype"),
    "memberships:type_create": ("post", "memberships.add_membershiptype"),
    "memberships:type_edit": ("post", "memberships.change_membershiptype"),
    "memberships:type_delete": ("post", "memberships.delete_membershiptype"),
    "memberships:plans": ("get", "memberships.view_membershipplan"),
    "memberships:plan_create": ("post", "memberships.add_membershipplan"),
    "memberships:plan_edit": ("post", "memberships.change_membershipplan"),
    "memberships:plan_delete": ("post", "memberships.delete_membershipplan"),
    "memberships:accounts": ("get", "memberships.view_membershipaccount"),
    "memberships:account_create": ("post", "memberships.add_membershipaccount"),
    "memberships:account": ("get", "memberships.view_membershipaccount"),
    "memberships:account_edit": ("post", "memberships.change_membershipaccount"),
    "memberships:charge": ("post", "memberships.record_membership_charge"),
    "memberships:member_add": ("post", "memberships.change_membershipaccount"),
    "memberships:member_remove": ("post", "memberships.change_membershipaccount"),
    "house_accounts:list": ("get", "house_accounts.view_houseaccount"),
    "house_accounts:create": ("post", "house_accounts.add_houseaccount"),
    "house_accounts:account": ("get", "house_accounts.view_houseaccount"),
    "house_accounts:edit": ("post", "house_accounts.change_houseaccount"),
    "house_accounts:delete": ("post", "house_accounts.delete_houseaccount"),
    "house_accounts:entry": ("post", "house_accounts.record_house_account_charge"),
    "house_accounts:statement": ("get", "house_accounts.view_houseaccount"),
    "imports:upload": ("post", "imports.add_customerimport"),
    "imports:template": ("get", "imports.add_customerimport"),
    "imports:list": ("get", "imports.view_customerimport"),
    "imports:detail": ("get", "imports.view_customerimport"),
    "imports:mapping": ("post", "imports.add_customerimport"),
    "imports:progress": ("get", "imports.view_customerimport"),
    "imports:commit": ("post", "imports.add_customerimport"),
    "imports:valid_rows": ("post", "imports.add_customerimport"),
    "imports:cancel": ("post", "imports.add_customerimport"),
    "imports:run_again": ("post", "imports.add_customerimport"),
    "imports:errors": ("get", "imports.view_customerimport"),
    "loyalty:settings": ("post", "loyalty.change_earnrule"),
    "sales:customer_sales": ("get", "sales.view_sale"),
    "registers:list": ("get", "registers.view_register"),
    "registers:create": ("post", "registers.add_register"),
    "registers:detail": ("get", "registers.view_register"),
    "registers:deactivate": ("post", "registers.change_register"),
    "registers:reactivate": ("post", "registers.change_register"),
    "registers:release": ("post", "registers.change_register"),
    "staff:list": ("get", "stores.view_staffstore"),
    "staff:stores": ("post", "stores.change_staffstore"),
    "export_list": ("get", "backoffice.view_export"),
    "export_detail": ("get", "backoffice.view_export"),
    "export_progress": ("get", "backoffice.view_export"),
    "export_download": ("get", "backoffice.view_export"),
    "export_run_again": ("post", "backoffice.view_export"),
}
# POSTs that must go through (a redirect after saving), not come back with form errors.
SAVES = {
    "customers:create",
    "customers:export",
    "customers:export_excel_csv",
    "customers:export_xlsx",
    "customers:edit",
    "loyalty:adjust",
    "loyalty:assign_card",
    "loyalty:batch_create",
    "loyalty:settings",
    "stores:settings",
    "memberships:type_create",
    "memberships:type_edit",
    "memberships:plan_create",
    "memberships:plan_edit",
    "memberships:account_create",
    "memberships:account_edit",
    "memberships:charge",
    "memberships:member_add",
    "house_accounts:create",
    "house_accounts:edit",
    "house_accounts:entry",
    "imports:upload",
    "imports:mapping",
    "staff:stores",
}
# Pages also opened with GET, beyond the method their row names: every form page.
ALSO_GET = sorted(SAVES)
# Django admin: superusers only; anyone else is sent to the admin's sign-in.
ADMIN_URLS = [
    ("admin:index", None),
    ("admin:customers_customer_change", "customer"),
    ("admin:loyalty_loyaltyledgerentry_changelist", None),
    ("admin:loyalty_loyaltyaccount_changelist", None),
    ("admin:loyalty_loyaltycard_changelist", None),
    ("admin:loyalty_loyaltycardbatch_changelist", None),
    ("admin:memberships_membershiptype_changelist", None),
    ("admin:memberships_membershipplan_changelist", None),
    ("admin:memberships_membershipaccount_changelist", None),
    ("admin:memberships_membershipentry_changelist", None),
    ("admin:house_accounts_houseaccount_changelist", None),
    ("admin:house_accounts_houseaccountentry_changelist", None),
    ("admin:backoffice_auditevent_changelist", None),
    ("admin:stores_storepreference_changelist", None),
]
# Sign-in, sign-out and password pages are Django's own and tested with the security tests.
# The registers' API answers a register's key, never a staff session: tests/registers/test_api.py.
API = {
    "api_customers", "api_customer", "api_customer_add_to_store", "api_customer_sales",
    "api_sales", "api_sale", "api_schema", "api_docs",
}  # fmt: skip
NOT_IN_THE_MATRIX = {"home", "login", "logout", *API}


def app_url_names(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from app_url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_url_has_a_row():
    names = {
        name
        for name in app_url_names()
        if name not in NOT_IN_THE_MATRIX and not name.startswith("password_")
    }

    assert names == set(ACCESS)


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


@pytest.fixture
def persona(request, client):
    """The client signed in as the persona named by the test's ``persona_name``."""
    name = request.node.callspec.params["persona_name"]
    user = None if name == "visitor" else request.getfixturevalue(name)
    if user:
        client.force_login(user)
    return user


@pytest.fixture
def batch(db):
    return card_batch_generate(size=2, actor=OPS)


@pytest.fixture
def customer_import(downtown, persona, manager):
    """An import of the persona's own: no one else may see an import."""
    job = CustomerImport(
        name="customers.csv", created_by=persona or manager,
        header=["first_name", "last_name", "email", "stores"],
    )  # fmt: skip
    job.file.save(
        "customers.csv", ContentFile(b"first_name,last_name,email,stores\nA,B,a@b.org,DT01\n")
    )
    return job


@pytest.fixture
def own_export(persona, manager):
    """A finished export of the persona's own: no one else may see an export."""
    export = Export(
        title="Customers", list_view="customers.views.CustomerListView",
        filename="customers.csv", created_by=persona or manager, status=Export.Status.DONE,
    )  # fmt: skip
    export.file.save("customers.csv", ContentFile(b"id\n"))
    return export


@pytest.fixture
def register(downtown):
    return register_create(name="Front desk", store=downtown, actor=OPS)[0]


@pytest.fixture
def house_account(downtown):
    return make_house_account(make_customer(stores=[downtown]), opening_balance="5.00")


@pytest.fixture
def membership(downtown):
    """A membership held by someone else, with one member."""
    account = make_membership(make_customer(stores=[downtown]))
    membership_add_member(account=account, customer=make_customer(), actor=OPS)
    return account


def post_data(name, customer, deleted_customer, downtown, batch, membership, house_account):
    plan = membership.plan
    csv_file = SimpleUploadedFile(
        "new.csv", b"first_name,last_name,email,stores\nA,B,n@b.org,DT01\n"
    )
    return {
        "customers:create": {
            "first_name": "New",
            "last_name": "Name",
            "email": "create@example.com",
            "stores": downtown.pk,
        },
        "customers:edit": {
            "first_name": "New",
            "last_name": "Name",
            "email": "update@example.com",
            "stores": downtown.pk,
            "version": customer.version,
        },
        "customers:bulk_delete": {"selected": customer.pk},
        "customers:restore": {"selected": deleted_customer.pk},
        "customers:purge": {"selected": deleted_customer.pk},
        "stores:choose": {"store": downtown.pk},
        "stores:settings": {"default_store": downtown.pk},
        "table_columns": {"columns": ["name", "email"]},
        "loyalty:adjust": {"delta": "5", "reason": "goodwill"},
        "loyalty:assign_card": {"code": batch.cards.first().code},
        "loyalty:batch_create": {"size": "3"},
        "memberships:type_create": {"name": "Gold", "price_level": "0"},
        "memberships:type_edit": {"name": "Renamed", "price_level": "1"},
        "memberships:type_delete": {"selected": plan.membership_type.pk},
        "memberships:plan_create": {
            "name": "Family", "membership_type": plan.membership_type.pk,
            "allowance": "50.00", "period": "monthly",
        },
        "memberships:plan_edit": {
            "name": "Renamed", "membership_type": plan.membership_type.pk,
            "allowance": "100.00", "period": "monthly",
        },
        "memberships:plan_delete": {"selected": plan.pk},
        "memberships:account_create": {
            "customer": customer.pk, "plan": plan.pk, "card_number": "NEW1",
            "issue_date": "2026-01-01",
        },
        "memberships:account_edit": {"description": "Changed", "version": membership.version},
        "memberships:charge": {"kind": "charge", "amount": "5.00", "store": downtown.pk},
        "memberships:member_add": {"customer": customer.pk},
        "memberships:member_remove": {"customer": membership.seats.last().customer_id},
        "house_accounts:create": {"customer": customer.pk, "account_number": "NEW2",
                                  "opening_balance": "0"},
        "house_accounts:edit": {"account_number": "EDITED", "version": house_account.version},
        "house_accounts:delete": {"selected": house_account.pk},
        "house_accounts:entry": {"kind": "charge", "amount": "1.00", "store": downtown.pk},
        "imports:upload": {"upload": csv_file, "match": "email", "encoding": "utf-8",
                           "date_format": "%Y-%m-%d"},
        "imports:mapping": {"column_0": "first_name", "column_1": "last_name",
                            "column_2": "email", "column_3": "stores"},
        "registers:create": {"name": "Back office", "store": downtown.pk},
        "staff:stores": {"stores": [downtown.pk]},
        "loyalty:settings": {"points_per_unit": 2, "point_value": "0.01"},
    }.get(name, {})  # fmt: skip


def cases():
    for name, (method, who) in ACCESS.items():
        yield name, method, who
        if name in ALSO_GET:
            yield name, "get", who


@pytest.mark.parametrize("persona_name", PERSONAS)
@pytest.mark.parametrize(("name", "method", "who"), list(cases()), ids=lambda v: str(v))
def test_access(
    client, persona, customer, deleted_customer, downtown, batch, membership, house_account,
    customer_import, own_export, register, persona_name, name, method, who,
):  # fmt: skip
    url = reverse(name, kwargs=url_kwargs(name, customer, batch, membership, house_account,
                                          customer_import, own_export, register))  # fmt: skip

    if method == "get":
        response = client.get(url)
    else:
        data = post_data(
            name, customer, deleted_customer, downtown, batch, membership, house_account
        )
        response = client.post(url, data)

    allowed = persona is not None and (who == SIGNED_IN or persona.has_perm(who))
    if persona is None:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    elif allowed and persona_name == SCOPED and name in OUT_OF_SIGHT:
        assert response.status_code == 404
    elif allowed and persona_name == SCOPED and method == "post" and name in REFUSED_OUT_OF_SIGHT:
        assert response.status_code == REFUSED_OUT_OF_SIGHT[name]
    elif allowed:
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert not response.url.startswith(reverse("login"))
        if method == "post" and name in SAVES:
            assert response.status_code == 302, "the save went through"
    else:
        assert response.status_code == 403


def url_kwargs(
    name, customer, batch, membership, house_account, customer_import, own_export, register
):
    if name in ("customers:detail", "customers:photo", "customers:edit", "customers:add_to_store",
                "customers:clear_bounce", "privacy:data_request", "privacy:erase"):  # fmt: skip
        return {"pk": customer.pk}
    if name in ("loyalty:ledger", "loyalty:adjust", "loyalty:assign_card", "sales:customer_sales"):
        return {"customer_pk": customer.pk}
    if name in ("loyalty:sheet", "loyalty:sheet_pdf"):
        return {"pk": batch.pk}
    if name == "memberships:type_edit":
        return {"pk": membership.plan.membership_type.pk}
    if name == "memberships:plan_edit":
        return {"pk": membership.plan.pk}
    if name.startswith("memberships:") and name.split(":")[1] in (
        "account", "account_edit", "charge", "member_add", "member_remove",
    ):  # fmt: skip
        return {"pk": membership.pk}
    if name in ("house_accounts:account", "house_accounts:edit", "house_accounts:entry",
                "house_accounts:statement"):  # fmt: skip
        return {"pk": house_account.pk}
    if name.startswith("imports:") and name not in ("imports:upload", "imports:template",
                                                    "imports:list"):  # fmt: skip
        return {"pk": customer_import.pk}
    if name in ("export_detail", "export_progress", "export_download", "export_run_again"):
        return {"pk": own_export.pk}
    if name in ("registers:detail", "registers:deactivate", "registers:reactivate",
                "registers:release"):  # fmt: skip
        return {"pk": register.pk}
    if name == "table_columns":
        return {"table": "customers"}
    if name == "staff:stores":
        return {"pk": own_export.created_by_id}  # a staff member: the export's author
    return {}


@pytest.mark.parametrize("persona_name", PERSONAS)
@pytest.mark.parametrize(("name", "needs"), ADMIN_URLS, ids=[url[0] for url in ADMIN_URLS])
def test_admin_is_for_superusers_only(client, persona, customer, persona_name, name, needs):
    response = client.get(reverse(name, args=[customer.pk] if needs else []))

    if persona_name == SUPERUSER:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("persona_name", ["visitor", "outsider"])
def test_refused_pages_do_not_show_the_customer(client, persona, customer, persona_name):
    for url in (
        reverse("customers:list"),
        reverse("customers:detail", args=[customer.pk]),
        reverse("customers:edit", args=[customer.pk]),
        reverse("customers:export"),
        reverse("customers:export_xlsx"),
        reverse("customers:deleted"),
        reverse("audit"),
    ):
        response = client.get(url, follow=True)
        assert b"Secret" not in response.content
        assert b"Person" not in response.content


def test_unknown_customer_is_404_for_staff(clerk_client, db):
    assert clerk_client.get(reverse("customers:detail", args=[99999])).status_code == 404
    assert clerk_client.get(reverse("customers:photo", args=[99999])).status_code == 404


def test_purging_is_in_no_role(manager, clerk, superuser):
    assert not manager.has_perm("customers.purge_customer")
    assert not clerk.has_perm("customers.purge_customer")
    assert superuser.has_perm("customers.purge_customer")


def test_the_cashier_lists_no_customer_of_another_store(
    client, cashier, customer, membership, house_account, deleted_customer
):
    """Downtown's customers, their accounts and history are in none of the cashier's lists,
    nor found by a name; their whole email finds them, by name, email and phone only."""
    client.force_login(cashier)
    for url, query in [
        ("customers:list", {}), ("customers:list", {"store": "all"}),
        ("customers:list", {"q": "Secret"}), ("customers:list", {"store": "DT01"}),
        ("customers:deleted", {}), ("memberships:accounts", {}), ("house_accounts:list", {}),
        ("customers:lookup", {"q": "Secret"}), ("customers:lookup", {"q": customer.email}),
    ]:  # fmt: skip
        response = client.get(reverse(url), query)
        assert response.status_code == 200
        assert b"Secret Person" not in response.content, (url, query)
        assert str(deleted_customer).encode() not in response.content, (url, query)

    found = client.get(reverse("customers:list"), {"q": customer.email})

    assert found.context["found_in_other_stores"] == [customer]
    assert list(found.context["customers"]) == []
