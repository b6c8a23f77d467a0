"""What the customers' pages show of house accounts (registered in ``apps.py``)."""

from backoffice.money import ZERO, format_money

from .models import HouseAccount


def customer_panel(customer):
    """The customer's house accounts, for their page; None if they have none."""
    accounts = list(HouseAccount.objects.filter(customer=customer).order_by("account_number"))
    return {"accounts": accounts} if accounts else None


def deletion_warnings(customers, *, lock=False):
    """Deleting a customer leaves what they owe, or their credit, on their house accounts.
    ``lock`` (a purge) locks every account of theirs first, so that no charge lands
    between this look at the balances and the accounts' removal."""
    accounts = HouseAccount.objects.filter(customer__in=customers)
    if lock:
        accounts = accounts.select_for_update()
    return {
        account.customer_id: f"Has {account} with a balance of {format_money(account.balance)}."
        for account in accounts
        if account.balance != ZERO
    }
