"""What the customers' pages show of house accounts (registered in ``apps.py``)."""

from backoffice.money import ZERO, format_money

from .models import HouseAccount


def customer_panel(customer):
    """The customer's house accounts, for their page; None if they have none."""
    accounts = list(HouseAccount.objects.filter(customer=customer).order_by("account_number"))
    return {"accounts": accounts} if accounts else None


def deletion_warnings(customers):
    """Deleting a customer leaves what they owe, or their credit, on their house accounts."""
    accounts = HouseAccount.objects.filter(customer__in=customers).exclude(balance=ZERO)
    return {
        account.customer_id: f"Has {account} with a balance of {format_money(account.balance)}."
        for account in accounts
    }
