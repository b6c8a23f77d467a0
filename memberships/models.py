import calendar
import datetime

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from backoffice.models import MoneyEntry
from backoffice.money import ZERO, MoneyField


class PriceLevel(models.IntegerChoices):
    DEFAULT = 0, "Default"
    LEVEL_1 = 1, "Level 1"
    LEVEL_2 = 2, "Level 2"
    LEVEL_3 = 3, "Level 3"
    LEVEL_4 = 4, "Level 4"
    LEVEL_5 = 5, "Level 5"
    LEVEL_6 = 6, "Level 6"
    LEVEL_7 = 7, "Level 7"
    LEVEL_8 = 8, "Level 8"
    LEVEL_9 = 9, "Level 9"
    LEVEL_10 = 10, "Level 10"


class Period(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half_yearly", "Half-yearly"
    YEARLY = "yearly", "Yearly"

    @property
    def months(self):
        return {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}[self.value]

    def end(self, issued, periods=1):
        """The last day of the ``periods``-th period of an account issued on ``issued``:
        the day before the issue day, that many periods later. Counted from the issue date
        each time, so that a month-end issue date does not drift (issued Jan 31, monthly:
        the periods end Feb 27, Mar 30, Apr 29...; a month without the day uses its last)."""
        month = issued.month - 1 + self.months * periods
        year, month = issued.year + month // 12, month % 12 + 1
        day = min(issued.day, calendar.monthrange(year, month)[1])
        return datetime.date(year, month, day) - datetime.timedelta(days=1)


class MembershipType(models.Model):
    name = models.CharField("type", max_length=25, unique=True)
    price_level = models.PositiveSmallIntegerField(
        choices=PriceLevel.choices,
        default=PriceLevel.DEFAULT,
        help_text="The price level members buy at.",
    )
    description = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField("date", default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class MembershipPlan(models.Model):
    name = models.CharField(max_length=25, unique=True)
    membership_type = models.ForeignKey(
        MembershipType, verbose_name="type", on_delete=models.PROTECT, related_name="plans"
    )
    tax_exempt = models.BooleanField("tax exemption", default=False)
    allowance = MoneyField(
        validators=[MinValueValidator(ZERO)], help_text="What members may spend per period."
    )
    period = models.CharField("allowance period", max_length=12, choices=Period.choices)
    auto_renew = models.BooleanField(
        "auto renewal",
        default=False,
        help_text="At the end of each period the allowance resets to the plan's amount (unused "
        "allowance does not carry over) and the expiry date moves on by one period.",
    )
    created_at = models.DateTimeField("date", default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class MembershipAccount(models.Model):
    """A customer's membership: a plan's allowance to spend, per period, by the holder and
    the members. The balance is the allowance left, written by
    ``memberships.services.membership_post`` only, with a ledger entry for each change."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name="holder",
        on_delete=models.PROTECT,
        related_name="membership_accounts",
    )
    plan = models.ForeignKey(
        MembershipPlan, verbose_name="membership plan", on_delete=models.PROTECT,
        related_name="accounts",
    )  # fmt: skip
    card_number = models.CharField(
        max_length=25,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9]+$", "Use letters and digits only.")],
    )
    description = models.CharField(max_length=200, blank=True)
    issue_date = models.DateField(default=timezone.localdate)
    expiry_date = models.DateField(editable=False)
    balance = MoneyField(default=ZERO, editable=False)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE, editable=False
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("record_membership_charge", "Can record membership charges and refunds")]
        indexes = [
            models.Index(
                fields=["expiry_date"],
                condition=models.Q(status="active"),
                name="membership_active_expiry",
            )
        ]

    def __str__(self):
        return f"Membership {self.card_number}"

    def get_absolute_url(self):
        return reverse("memberships:account", args=[self.pk])

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE


class MembershipSeat(models.Model):
    """Who may use an account: its holder and its members. A customer has at most one seat
    in an active account (the database refuses a second)."""

    account = models.ForeignKey(MembershipAccount, on_delete=models.PROTECT, related_name="seats")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="membership_seats"
    )
    is_holder = models.BooleanField(default=False)
    active = models.BooleanField(default=True, help_text="Whether the account is active.")

    class Meta:
        ordering = ["-is_holder", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(active=True),
                name="one_active_membership_per_customer",
            ),
        ]

    def __str__(self):
        return f"{self.customer} in {self.account}"


class MembershipEntry(MoneyEntry):
    """One change of an account's balance: the opening allowance, a charge, a refund, or a
    renewal's reset to the allowance."""

    class Kind(models.TextChoices):
        OPENING = "opening", "Opening allowance"
        CHARGE = "charge", "Charge"
        REFUND = "refund", "Refund"
        RENEWAL = "renewal", "Renewal"

    account = models.ForeignKey(MembershipAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta(MoneyEntry.Meta):
        verbose_name = "membership entry"
        verbose_name_plural = "membership entries"
        indexes = [
            models.Index(fields=["account", "-created_at", "-id"], name="membership_entry_history")
        ]
