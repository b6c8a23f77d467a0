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


def deletion_warnings(customers):
    """Deleting a customer leaves the membership accounts they hold with their balance."""
    held = MembershipAccount.objects.filter(
        customer__in=customers, status=MembershipAccount.Status.ACTIVE
    ).exclude(balance=ZERO)
    return {
        account.customer_id: f"Holds {account} with {format_money(account.balance)} left."
        for account in held
    }
