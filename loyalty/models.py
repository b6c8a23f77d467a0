from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from backoffice.models import WrittenOnce
from customers.scope import in_held_store, is_chain_wide

from .codes import CODE_LENGTH


class Reason(models.TextChoices):
    """Why a balance moved. Staff choose among the first seven; the rest are written by the
    system (an opening balance, enrolment and leaving, which move no points)."""

    PURCHASE = "purchase", "Purchase"
    RETURN = "return", "Return"
    GOODWILL = "goodwill", "Goodwill"
    CORRECTION = "correction", "Correction"
    REDEMPTION = "redemption", "Redemption"
    EXPIRY = "expiry", "Expiry"
    OTHER = "other", "Other"
    OPENING = "opening", "Opening balance"
    IMPORT = "import", "Import"
    ENROLLED = "enrolled", "Enrolled"
    LEFT = "left", "Left the programme"


STAFF_REASONS = [
    Reason.PURCHASE,
    Reason.RETURN,
    Reason.GOODWILL,
    Reason.CORRECTION,
    Reason.REDEMPTION,
    Reason.EXPIRY,
    Reason.OTHER,
]
REASONS_NEEDING_A_NOTE = {Reason.CORRECTION, Reason.OTHER}
# A balance's ceiling, well inside the database's 32-bit integers (2,147,483,647): past it
# a change is refused with a message, never a database error.
MAX_POINTS = 1_000_000_000


class LoyaltyAccount(models.Model):
    """A customer's loyalty programme membership and points balance.

    The balance is written by ``loyalty.services`` only, in a transaction that locks this
    row and adds a ``LoyaltyLedgerEntry`` for every change, so it always equals the sum of
    the entries' deltas (``manage.py check_loyalty`` proves it). ``save()`` refuses to
    change it. ``version`` goes up with every entry: a form that shows the balance carries
    it, and a balance typed on a form loaded before another change is refused.
    """

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.PROTECT, related_name="loyalty_account"
    )
    enrolled = models.BooleanField(default=False)
    balance = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(MAX_POINTS)], help_text="Points."
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="loyalty_account_balance_not_negative"
            ),
        ]

    def __str__(self):
        return f"Loyalty account of {self.customer}"

    def save(self, *args, **kwargs):
        if self.balance != getattr(self, "_stored_balance", 0):
            raise ValueError(
                "A loyalty balance is changed by loyalty.services.loyalty_adjust only."
            )
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        account = super().from_db(db, field_names, values)
        account._stored_balance = account.__dict__.get("balance")
        return account

    def balance_at(self, version):
        """The balance as it was at ``version``: after that many ledger entries."""
        if version <= 0:
            return 0
        entries = self.entries.order_by("pk").values_list("balance_after", flat=True)
        return entries[version - 1 : version].first()


class LoyaltyLedgerEntry(WrittenOnce):
    """One change of a loyalty balance (or of the enrolment, moving no points)."""

    account = models.ForeignKey(LoyaltyAccount, on_delete=models.PROTECT, related_name="entries")
    delta = models.IntegerField(
        "change", help_text="Points added (positive) or removed (negative)."
    )
    balance_after = models.PositiveIntegerField("balance after")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="who",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("when", default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "loyalty ledger entry"
        verbose_name_plural = "loyalty ledger entries"
        indexes = [
            models.Index(
                fields=["account", "-created_at", "-id"], name="loyalty_entry_account_history"
            ),
        ]

    def __str__(self):
        return f"{self.delta:+d} points: {self.get_reason_display()}"


class LoyaltyCardBatchQuerySet(models.QuerySet):
    def for_actor(self, actor):
        """The batches ``actor`` may print: every one for a chain-wide actor, else those
        holding a card it may see (``LoyaltyCard.objects.for_actor``)."""
        if is_chain_wide(actor):
            return self
        cards = LoyaltyCard.objects.for_actor(actor).filter(batch=models.OuterRef("pk"))
        return self.filter(models.Exists(cards))


class LoyaltyCardBatch(models.Model):
    """Codes generated together, to be printed on one run of cards or labels."""

    created_at = models.DateTimeField("generated", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="by",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    size = models.PositiveIntegerField("codes")

    objects = LoyaltyCardBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "loyalty card batch"
        verbose_name_plural = "loyalty card batches"

    def __str__(self):
        return f"Batch {self.pk} ({self.size} codes, {self.created_at:%Y-%m-%d})"


class LoyaltyCardQuerySet(models.QuerySet):
    def for_actor(self, actor):
        """The cards ``actor`` may see: those not handed out yet, and those of the customers
        it may see. A card's code is an exact key that finds its customer in any store
        ("Add to my store"), so a code handed out elsewhere is not the actor's to print."""
        if is_chain_wide(actor):
            return self
        return self.filter(
            models.Q(customer__isnull=True) | models.Q(in_held_store(actor, "customer_id"))
        )


class LoyaltyCard(models.Model):
    """A printed loyalty card's code, and the customer it was handed to (once assigned)."""

    batch = models.ForeignKey(LoyaltyCardBatch, on_delete=models.PROTECT, related_name="cards")
    code = models.CharField(max_length=CODE_LENGTH, unique=True)
    customer = models.OneToOneField(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="loyalty_card",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    objects = LoyaltyCardQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.code


class EarnRule(models.Model):
    """How a sale earns points: one row, set by managers on Loyalty settings."""

    points_per_unit = models.PositiveIntegerField(
        "points per 1.00", default=1, validators=[MaxValueValidator(1000)],
        help_text="Points earned for each whole 1.00 of a sale (rounded down).",
    )  # fmt: skip
    point_value = models.DecimalField(
        "value of a point", max_digits=8, decimal_places=4, default=Decimal("0.01"),
        validators=[MinValueValidator(Decimal("0.0001"))],
        help_text="What a point redeemed pays for at the till.",
    )  # fmt: skip
    earn_on_points_paid = models.BooleanField(
        "earn points on the part paid with points", default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "earn rule"

    def __str__(self):
        return f"{self.points_per_unit} points per 1.00"

    @classmethod
    def current(cls):
        """The rule (its defaults until a manager saves it)."""
        return cls.objects.first() or cls()

    def points_for(self, total, points_redeemed):
        """The points a sale of ``total`` earns, ``points_redeemed`` of it paid in points:
        whole units only, rounded down."""
        earning = total
        if not self.earn_on_points_paid:
            earning -= points_redeemed * self.point_value
        return max(int(earning // 1) * self.points_per_unit, 0)
