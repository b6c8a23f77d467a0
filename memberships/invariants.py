"""What must always hold of membership accounts: the balance is the sum of the entries."""

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce

from backoffice.money import ZERO, cents

from .models import MembershipAccount


def differences(limit):
    """(accounts checked, the first ``limit`` accounts whose balance is not their entries'
    sum, described). Memberships are thousands, not millions: one GROUP BY."""
    summed = MembershipAccount.objects.order_by("pk").annotate(
        entries_total=Coalesce(Sum("entries__amount"), ZERO)
    )
    wrong = summed.filter(~Q(balance=F("entries_total")))[:limit]
    return MembershipAccount.objects.count(), [
        f"{account} (id {account.pk}): balance {account.balance}, its entries sum to "
        f"{cents(account.entries_total)}"
        for account in wrong
    ]
