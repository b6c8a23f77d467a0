"""What the customers' pages show of memberships (registered in ``apps.py``)."""

from backoffice.money import ZERO, format_money

from .models import MembershipAccount, MembershipSeat


def customer_panel(customer):
    """The active membership the customer holds or shares, for their page; None if none."""
    seat = (
        MembershipSeat.objects.filter(customer=customer, active=True)
        .select_related("account__plan")
        .first()
    )
    return {"account": seat.account, "holder": seat.is_holder} if seat else None


def deletion_warnings(customers, *, lock=False):
    """Deleting a customer leaves the membership accounts they hold with their balance.
    ``lock`` (a purge) locks every account they hold first, so that no refund lands between
    this look at the balances and the accounts' removal."""
    held = MembershipAccount.objects.filter(customer__in=customers)
    if lock:
        held = held.select_for_update()
    return {
        account.customer_id: f"Holds {account} with {format_money(account.balance)} left."
        for account in held
        if account.is_active and account.balance != ZERO
    }
