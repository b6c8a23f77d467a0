"""Django admin shows loyalty read-only: balances, ledger and cards change through the app."""

import pytest
from django.urls import reverse

from loyalty.models import LoyaltyAccount, LoyaltyCard, LoyaltyLedgerEntry
from loyalty.services import card_batch_generate
from tests.factories import OPS, make_customer

MODELS = ["loyaltyaccount", "loyaltyledgerentry", "loyaltycard", "loyaltycardbatch"]


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def rows(db):
    customer = make_customer(loyalty_balance=5)
    batch = card_batch_generate(size=1, actor=OPS)
    return {
        "loyaltyaccount": LoyaltyAccount.objects.get(customer=customer),
        "loyaltyledgerentry": LoyaltyLedgerEntry.objects.latest("pk"),
        "loyaltycard": LoyaltyCard.objects.get(),
        "loyaltycardbatch": batch,
    }


@pytest.mark.parametrize("model", MODELS)
def test_listed_and_viewed_but_never_added_changed_or_deleted(admin_client, rows, model):
    row = rows[model]
    change_url = reverse(f"admin:loyalty_{model}_change", args=[row.pk])

    assert admin_client.get(reverse(f"admin:loyalty_{model}_changelist")).status_code == 200
    viewed = admin_client.get(change_url)
    assert viewed.status_code == 200
    assert 'name="_save"' not in viewed.content.decode()
    assert admin_client.get(reverse(f"admin:loyalty_{model}_add")).status_code == 403
    assert admin_client.post(change_url, {}).status_code == 403
    assert admin_client.post(reverse(f"admin:loyalty_{model}_delete", args=[row.pk]),
                             {"post": "yes"}).status_code == 403  # fmt: skip
    assert type(row).objects.filter(pk=row.pk).exists()
