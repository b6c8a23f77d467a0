from django.db import transaction

from .models import LoyaltyAccount, LoyaltyLedgerEntry


@transaction.atomic
def loyalty_update(*, customer, enrolled, balance, reason, user):
    """Set a customer's enrolment and balance, writing a ledger entry if the balance moved.

    The account row is locked for the rest of the caller's transaction, so two concurrent
    adjustments are applied one after the other and each ledger delta stays true.
    """
    account, _ = LoyaltyAccount.objects.select_for_update().get_or_create(customer=customer)
    delta = balance - account.balance
    if delta and not reason:
        raise ValueError("A loyalty balance change needs a reason.")
    account.enrolled = enrolled
    account.balance = balance
    account.save()
    if delta:
        LoyaltyLedgerEntry.objects.create(
            account=account,
            delta=delta,
            balance_after=balance,
            reason=reason,
            created_by=user,
        )
    return account
