import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from customers.models import Customer
from customers.services import customer_save
from house_accounts.services import house_account_post
from loyalty.services import card_assign, card_batch_generate, loyalty_adjust
from registers.services import register_create
from tests.factories import (
    OPS,
    image_upload,
    make_customer,
    make_house_account,
    make_membership,
    make_user,
)

# Zebedee's data, each piece distinctive enough to be searched for in every table.
ZED = {
    "first_name": "Zebedee",
    "last_name": "Quixote",
    "email": "zebedee.quixote@example.com",
    "phone": "+14155550199",
    "id_number": "ZQ-4242",
    "city": "Quillville",
    "address_line1": "7 Xylophone Row",
    "gate_code": "X9Y8",
    "notes": "Zebedee collects quinces",
}
TRACES = ["Zebedee", "Quixote", "zebedee.quixote", "4155550199", "ZQ-4242", "Quillville",
          "Xylophone"]  # fmt: skip


@pytest.fixture
def privacy_officer(downtown):
    """Petra, a manager of Downtown allowed to answer data requests and erase customers."""
    user = make_user("petra", groups=["Managers"], stores=[downtown], first_name="Petra")
    user.user_permissions.add(
        *user.user_permissions.model.objects.filter(
            codename__in=["export_customer_data", "erase_customer"]
        )
    )
    return user


@pytest.fixture
def petra(client, privacy_officer):
    client.force_login(privacy_officer)
    return client


@pytest.fixture
def zed(downtown, riverside, clerk):
    """Zebedee, with every part filled: stores, consent, loyalty points, a card and notes
    on the ledger, a sale at the till, a membership (and its holder's seat), a house
    account charged and paid back to zero, a photo, and audit events about all of it."""
    customer = make_customer(
        stores=[downtown, riverside], user=clerk, loyalty_balance=120, photo=image_upload(),
        date_of_birth="1980-02-29", **ZED,
    )  # fmt: skip
    customer.email_consent = "subscribed"
    customer_save(customer=customer, stores=[downtown, riverside], actor=clerk)
    loyalty_adjust(account=customer.loyalty_account, delta=5, reason="goodwill",
                   note="Zebedee's birthday", actor=clerk)  # fmt: skip
    card_assign(customer=customer, code=card_batch_generate(size=1, actor=OPS).cards.get().code,
                actor=clerk)  # fmt: skip
    membership = make_membership(customer)
    house_account = make_house_account(customer, account_number="HA-ZED")
    _, key = register_create(name="Front desk", store=downtown, actor=OPS)
    till = APIClient()
    till.credentials(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_REGISTER_DEVICE="till-1")
    answer = till.post(
        reverse("api_sales"),
        {"id": "R-1", "customer": customer.pk, "total": "60.00",
         "occurred_at": timezone.now().isoformat(), "house_account": "HA-ZED",
         "house_account_amount": "30.00", "membership_amount": "20.00"},
        format="json",
    )  # fmt: skip
    assert answer.status_code == 201, answer.content
    house_account.refresh_from_db()
    house_account_post(
        account=house_account, kind="payment", amount=house_account.balance, actor=clerk,
        store=downtown, reference="", note="Paid by Zebedee Quixote",
    )  # fmt: skip
    customer = Customer.objects.get(pk=customer.pk)
    assert membership.pk and customer.photo
    return customer
