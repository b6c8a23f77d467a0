"""The pages around an erasure: an erased customer's page offers nothing that would write
their data again, and the erase page says up front why an account stops it."""

from decimal import Decimal

from django.urls import reverse

from house_accounts.models import HouseAccount
from house_accounts.services import house_account_post
from privacy.services import customer_erase


def offers(client, customer):
    """(Edit, the loyalty card form) as the customer's page offers them."""
    page = client.get(customer.get_absolute_url()).content.decode()
    return (
        reverse("customers:edit", args=[customer.pk]) in page,
        reverse("loyalty:assign_card", args=[customer.pk]) in page,
    )


def test_an_erased_customers_page_offers_no_edit_and_no_card(
    petra, privacy_officer, superuser, client, zed
):
    client.force_login(superuser)  # holds every permission
    assert offers(client, zed) == (True, True)

    customer_erase(customer=zed, actor=privacy_officer)

    assert offers(client, zed) == (False, False)


def test_the_erase_page_says_up_front_that_an_account_owes_money(petra, zed, downtown, clerk):
    account = HouseAccount.objects.get(customer=zed)
    house_account_post(account=account, kind="charge", amount=Decimal("12.50"),
                       store=downtown, reference="", note="", actor=clerk)  # fmt: skip

    page = petra.get(reverse("privacy:erase", args=[zed.pk])).content.decode()

    assert "cannot be erased yet" in page
    assert "House account HA-ZED owes USD 12.50." in page
    assert 'id="erase-form"' not in page
