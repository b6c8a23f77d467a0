from django.db import transaction

from backoffice import audit
from customers.models import Customer
from customers.tallies import recounted

from .models import LoyaltyAccount, LoyaltyLedgerEntry


@transaction.atomic
def loyalty_update(*, customer, enrolled, balance, reason, user):
    """Set a customer's enrolment and balance, writing a ledger entry if the balance moved.

    The account row is locked for the rest of the caller's transaction, so two concurrent
    adjustments are applied one after the other and each ledger delta stays true. A change
    of enrolment or balance is an audit event about the customer, whose page shows it.
    """
    account, _ = LoyaltyAccount.objects.select_for_update().get_or_create(customer=customer)
    delta = balance - account.balance
    if delta and not reason:
        raise ValueError("A loyalty balance change needs a reason.")
    changes = audit.changes_between(
        {"loyalty_enrolled": account.enrolled, "loyalty_balance": account.balance},
        {"loyalty_enrolled": enrolled, "loyalty_balance": balance},
    )
    with recounted([customer.pk] if enrolled != account.enrolled else []):
        account.enrolled = enrolled
        account.balance = balance
        account.save()
    # The customer list sorts by a copy of the points on the customer, which an index serves.
    customer.loyalty_points = balance if enrolled else None
    Customer.all_objects.filter(pk=customer.pk).exclude(
        loyalty_points=customer.loyalty_points
    ).update(loyalty_points=customer.loyalty_points)
    if delta:
        LoyaltyLedgerEntry.objects.create(
            account=account,
            delta=delta,
            balance_after=balance,
            reason=reason,
            created_by=user,
        )
    if changes:
        audit.record(
            user=user,
            action=audit.Action.LOYALTY,
            obj=customer,
            summary=loyalty_summary(changes, delta, reason),
            changes=changes,
        )
    return account


def loyalty_summary(changes, delta, reason):
    parts = []
    if "loyalty_enrolled" in changes:
        parts.append("Enrolled" if changes["loyalty_enrolled"][1] else "Left the programme")
    if delta:
        parts.append(f"{delta:+d} points ({reason})")
    return "; ".join(parts)
