from django.urls import reverse

from tests.factories import make_customer


def test_admin_is_for_superusers_only(client, clerk):
    clerk.is_staff = True
    clerk.save()
    client.force_login(clerk)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_superuser_sees_customers_with_their_loyalty(client, superuser):
    customer = make_customer(first_name="Ada", loyalty_balance=5)
    client.force_login(superuser)

    changelist = client.get(reverse("admin:customers_customer_changelist"), {"q": "ada"})
    change = client.get(reverse("admin:customers_customer_change", args=[customer.pk]))
    ledger = client.get(reverse("admin:loyalty_loyaltyledgerentry_changelist"))

    assert "Ada" in changelist.content.decode()
    assert change.status_code == 200
    assert "Opening balance" in ledger.content.decode()


def test_ledger_is_read_only_in_admin(client, superuser):
    make_customer(loyalty_balance=5)
    client.force_login(superuser)

    assert client.get(reverse("admin:loyalty_loyaltyledgerentry_add")).status_code == 403
