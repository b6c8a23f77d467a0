"""Purging a customer never destroys money (the attacker's second visit, finding 2): a
customer whose house account is owed 40.00, or whose membership has allowance left, is
not purged, and says why; a customer at zero goes with every account and ledger, each
removed on purpose by its app, since no foreign key into a ledger or an account
cascades."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse

from backoffice.models import AuditEvent, WrittenOnce
from customers.models import Customer
from customers.services import PurgeRefused, customers_delete, customers_purge
from house_accounts.models import HouseAccount, HouseAccountEntry
from house_accounts.services import house_account_post
from imports.models import CustomerImport
from loyalty.models import LoyaltyAccount, LoyaltyLedgerEntry
from loyalty.services import card_assign, card_batch_generate
from memberships.models import MembershipAccount, MembershipEntry, MembershipSeat
from memberships.services import membership_add_member, membership_post, membership_remove_member
from tests.factories import OPS, make_customer, make_house_account, make_membership, make_plan

pytestmark = pytest.mark.django_db

PURGE_URL = reverse("customers:purge")


def accounts_and_ledgers():
    """The models that hold a balance, and the ledgers (written once) beside them."""
    project_models = [
        model for model in apps.get_models() if not model.__module__.startswith("django")
    ]
    accounts = {m for m in project_models if "balance" in {f.name for f in m._meta.fields}}
    ledgers = {m for m in project_models if issubclass(m, WrittenOnce)}
    return project_models, accounts, ledgers


def test_no_foreign_key_into_or_out_of_a_ledger_or_an_account_cascades():
    project_models, accounts, ledgers = accounts_and_ledgers()
    cascading = [
        f"{model.__name__}.{field.name}"
        for model in project_models
        for field in model._meta.fields
        if isinstance(field, models.ForeignKey)
        and field.remote_field.on_delete is models.CASCADE
        and (field.related_model in accounts or model in accounts | ledgers)
    ]

    assert {model.__name__ for model in accounts} >= {
        "LoyaltyAccount", "HouseAccount", "MembershipAccount",
    }  # fmt: skip
    assert cascading == []


@pytest.fixture
def olivia(downtown, manager):
    """Deleted, with a house account owed 40.00 and a membership with 500.00 left."""
    olivia = make_customer(
        first_name="Olivia", last_name="Haddad", email="olivia@example.com", stores=[downtown]
    )
    make_house_account(olivia, opening_balance="40.00")
    make_membership(olivia, card_number="MEM0005")
    customers_delete(customers=[olivia], actor=manager)
    return olivia


def purge_page(client, customer):
    return client.post(PURGE_URL, {"selected": [customer.pk]}).content.decode()


def test_the_purge_page_says_why_a_customer_holding_money_is_not_purged(client, superuser, olivia):
    client.force_login(superuser)

    page = purge_page(client, olivia)

    assert "Not purged:</strong> Has H" in page
    assert "with a balance of USD 40.00. Settle it first." in page
    assert "Holds Membership MEM0005 with USD 100.00 left. Settle it first." in page
    assert f'name="selected" value="{olivia.pk}"' not in page
    assert 'name="confirm"' not in page  # nothing left to purge


def test_a_purge_of_a_customer_holding_money_is_refused_with_the_reason(client, superuser, olivia):
    client.force_login(superuser)

    response = client.post(PURGE_URL, {"selected": [olivia.pk], "confirm": "yes"}, follow=True)

    assert "Olivia Haddad was not purged: Has H" in response.content.decode()
    assert Customer.all_objects.filter(pk=olivia.pk).exists()
    assert HouseAccountEntry.objects.count() == 1
    assert HouseAccount.objects.get().balance == Decimal("40.00")


def test_the_service_refuses_too(olivia, superuser):
    with pytest.raises(PurgeRefused, match=r"with a balance of USD 40.00"):
        customers_purge(customers=[olivia], actor=superuser)

    assert MembershipEntry.objects.count() == 1


def test_a_customer_at_zero_goes_with_every_account_and_ledger(
    client, superuser, downtown, manager
):
    zoe = make_customer(first_name="Zoe", stores=[downtown], loyalty_balance=30)
    member = make_customer(first_name="Max", stores=[downtown])
    house = make_house_account(zoe, opening_balance="40.00")
    house_account_post(
        account=house, kind=HouseAccountEntry.Kind.PAYMENT, amount=Decimal("40.00"),
        store=downtown, reference="", note="", actor=manager,
    )  # fmt: skip
    membership = make_membership(zoe)
    membership_add_member(account=membership, customer=member, actor=manager)
    membership_post(
        account=membership, kind=MembershipEntry.Kind.CHARGE, amount=Decimal("-100.00"),
        store=downtown, note="", actor=manager,
    )  # fmt: skip
    customers_delete(customers=[zoe], actor=manager)
    client.force_login(superuser)

    response = client.post(PURGE_URL, {"selected": [zoe.pk], "confirm": "yes"}, follow=True)

    assert "1 customer purged for good." in response.content.decode()
    assert not Customer.all_objects.filter(pk=zoe.pk).exists()
    for model in (HouseAccount, HouseAccountEntry, MembershipAccount, MembershipEntry,
                  MembershipSeat):  # fmt: skip
        assert not model.objects.exists(), model.__name__
    assert not LoyaltyAccount.objects.exclude(customer=member).exists()
    assert not LoyaltyLedgerEntry.objects.exclude(account__customer=member).exists()
    assert Customer.objects.filter(pk=member.pk).exists()


def test_a_purge_leaves_the_name_email_and_phone_nowhere(
    client, manager_client, manager, superuser, downtown, run_jobs
):
    """The attacker's second visit, finding 3: audit events of her accounts ("Opened for
    Olivia Haddad", "ref. Olivia Haddad receipt"), of someone else's membership ("Added
    member Olivia Haddad") and the import that brought her in still named her."""
    upload = SimpleUploadedFile(
        "olivia.csv",
        b"first_name,last_name,email,phone,stores,loyalty_enrolled,loyalty_balance\n"
        b"Olivia,Haddad,olivia@example.com,+15125550199,DT01,true,120\n",
    )
    run_jobs(lambda: manager_client.post(reverse("imports:upload"), {
        "upload": upload, "match": "email", "encoding": "utf-8", "date_format": "%Y-%m-%d",
    }))  # fmt: skip
    job = CustomerImport.objects.get()
    run_jobs(lambda: manager_client.post(reverse("imports:commit", args=[job.pk])))
    olivia = Customer.objects.get(email="olivia@example.com")
    card = card_batch_generate(size=1, actor=OPS).cards.get()
    card_assign(customer=olivia, code=card.code, actor=manager)
    house = make_house_account(olivia, opening_balance="40.00")
    house_account_post(
        account=house, kind=HouseAccountEntry.Kind.PAYMENT, amount=Decimal("40.00"),
        store=downtown, reference="Olivia Haddad receipt", note="", actor=manager,
    )  # fmt: skip
    maxs = make_membership(make_customer(first_name="Max", stores=[downtown]))
    membership_add_member(account=maxs, customer=olivia, actor=manager)
    membership_remove_member(account=maxs, customer=olivia, actor=manager)
    membership = make_membership(olivia, plan=make_plan(allowance="0.00"))
    customers_delete(customers=[olivia], actor=manager)
    client.force_login(superuser)

    client.post(PURGE_URL, {"selected": [olivia.pk], "confirm": "yes"})

    assert not MembershipAccount.objects.filter(pk=membership.pk).exists()
    assert where_found(["Olivia Haddad", "olivia@example.com", "+15125550199"]) == []
    assert AuditEvent.objects.filter(about_customer=olivia.pk).count() >= 6  # kept, redacted


def where_found(needles):
    """Every text and JSON column of every table that holds one of ``needles``."""
    found = []
    for model in apps.get_models():
        for field in model._meta.fields:
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            for needle in needles:
                if model._base_manager.filter(**{f"{field.name}__icontains": needle}).exists():
                    found.append(f"{model.__name__}.{field.name}: {needle}")
    return found
