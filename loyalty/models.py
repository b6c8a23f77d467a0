from django.conf import settings
from django.db import models
from django.utils import timezone


class LoyaltyAccount(models.Model):
    """A customer's loyalty programme membership and points balance.

    The balance is only ever changed by ``loyalty.services.loyalty_update``, which writes a
    ``LoyaltyLedgerEntry`` for every change in the same transaction.
    """

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="loyalty_account"
    )
    enrolled = models.BooleanField(default=False)
    balance = models.PositiveIntegerField(default=0, help_text="Points.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="loyalty_account_balance_not_negative"
            ),
        ]

    def __str__(self):
        return f"Loyalty account of {self.customer}"


class LoyaltyLedgerEntry(models.Model):
    """One change of a loyalty balance: never edited, never deleted on its own."""

    account = models.ForeignKey(LoyaltyAccount, on_delete=models.CASCADE, related_name="entries")
    delta = models.IntegerField(help_text="Points added (positive) or removed (negative).")
    balance_after = models.PositiveIntegerField()
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "loyalty ledger entry"
        verbose_name_plural = "loyalty ledger entries"

    def __str__(self):
        return f"{self.delta:+d} points: {self.reason}"
