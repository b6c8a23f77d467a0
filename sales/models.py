from django.db import models
from django.utils import timezone

from backoffice.models import WrittenOnce
from backoffice.money import MoneyField
from stores.actors import held_store_ids, is_chain_wide


class SaleQuerySet(models.QuerySet):
    def for_actor(self, actor):
        """The sales made at the stores ``actor`` holds (``stores.actors``)."""
        if is_chain_wide(actor):
            return self
        return self.filter(store_id__in=held_store_ids(actor))


class Sale(WrittenOnce):
    """A sale recorded by a register, once: its receipt id is unique per register, and the
    same receipt sent again finds this row (``fingerprint`` tells the same body from
    another). ``result`` is the answer the register was given, given again to a retry.

    A sale is its tender parts, which add up to its total: points (``points_value``, what
    the ``points_redeemed`` paid), the house account, the membership, and ``other_amount``
    (cash, card), never negative. A refund is a sale with ``refund_for``; its total and
    every part are negative, so that a sale and its refunds add up to what is left of each.
    """

    # The constraint's and the index's leading columns serve the two foreign keys.
    register = models.ForeignKey(
        "registers.Register", on_delete=models.PROTECT, related_name="sales", db_index=False
    )
    receipt_id = models.CharField("receipt", max_length=64)
    store = models.ForeignKey("stores.Store", on_delete=models.PROTECT, related_name="+")
    # An erased customer's sales stay, with their totals, without the person.
    customer = models.ForeignKey(
        "customers.Customer", null=True, on_delete=models.SET_NULL, related_name="sales",
        db_index=False,
    )  # fmt: skip
    total = MoneyField()
    occurred_at = models.DateTimeField("when")
    points_earned = models.IntegerField(default=0, help_text="Negative: taken back by a refund.")
    points_redeemed = models.IntegerField(default=0, help_text="Negative: given back.")
    # The three links below are indexed where they are set (Meta.indexes): most sales
    # have none of them, and a loader of millions of sales would write three empty keys.
    house_account = models.ForeignKey(
        "house_accounts.HouseAccount", null=True, blank=True, on_delete=models.PROTECT,
        related_name="sales", db_index=False,
    )  # fmt: skip
    house_account_amount = MoneyField(null=True, blank=True)
    membership = models.ForeignKey(
        "memberships.MembershipAccount", null=True, blank=True, on_delete=models.PROTECT,
        related_name="sales", db_index=False,
    )  # fmt: skip
    membership_amount = MoneyField(null=True, blank=True)
    points_value = MoneyField(default=0, help_text="What the points redeemed paid.")
    other_amount = MoneyField("cash and card", default=0)
    refund_for = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds",
        db_index=False,
    )  # fmt: skip
    fingerprint = models.CharField(max_length=64, help_text="The SHA-256 of the sale as sent.")
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    objects = SaleQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["register", "receipt_id"], name="one_sale_per_receipt")
        ]
        indexes = [
            models.Index(fields=["customer", "-occurred_at", "-id"]),
            *(
                models.Index(
                    fields=[link],
                    name=f"sales_with_{link}",
                    condition=models.Q(**{f"{link}__isnull": False}),
                )
                for link in ["house_account", "membership", "refund_for"]
            ),
        ]

    def __str__(self):
        return f"{'Refund' if self.refund_for_id else 'Sale'} {self.receipt_id}"


class StoreDay(models.Model):
    """A store's totals for one day, kept as each sale is recorded: the Marketing pages
    read these, never the sales."""

    store = models.ForeignKey("stores.Store", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    sales = models.PositiveIntegerField(default=0)
    refunds = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0, help_text="Customers' first sale of the day.")
    new_customers = models.PositiveIntegerField(default=0, help_text="Customers' first sale.")
    total = MoneyField(default=0)
    points_earned = models.IntegerField(default=0)
    points_redeemed = models.IntegerField(default=0)

    class Meta:
        ordering = ["-day", "store"]
        constraints = [models.UniqueConstraint(fields=["store", "day"], name="one_row_a_store_day")]

    def __str__(self):
        return f"{self.store} on {self.day}"
