import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from backoffice.models import MoneyEntry
from backoffice.money import ZERO, MoneyField, positive_amount_validators


class LimitPeriod(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class HouseAccount(models.Model):
    """Credit a store extends to a customer: charges raise what they owe (the balance),
    payments and refunds lower it. The balance is written by
    ``house_accounts.services.house_account_post`` only, with a ledger entry each time."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="house_accounts"
    )
    account_number = models.CharField(max_length=25, unique=True)
    balance = MoneyField(
        default=ZERO, editable=False, help_text="What the customer owes; below zero, a credit."
    )
    period_limit_enabled = models.BooleanField("enable period limit", default=False)
    limit_period = models.CharField(max_length=10, choices=LimitPeriod.choices, blank=True)
    limit_amount = MoneyField(null=True, blank=True, validators=positive_amount_validators())
    week_starts_on = models.PositiveSmallIntegerField(
        "week starts on", choices=Weekday.choices, null=True, blank=True
    )
    allow_credit = models.BooleanField(
        default=False,
        help_text="A payment or refund may take the balance below zero, as a credit that "
        "later charges use first.",
    )
    max_limit_enabled = models.BooleanField("enable max limit", default=False)
    max_amount = MoneyField(
        null=True, blank=True, validators=positive_amount_validators(),
        help_text="The most one charge may be.",
    )  # fmt: skip
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("record_house_account_charge", "Can record house account charges"),
            ("record_large_payment", "Can record payments and refunds over the staff maximum"),
        ]

    def __str__(self):
        return f"House account {self.account_number}"

    def get_absolute_url(self):
        return reverse("house_accounts:account", args=[self.pk])

    def clean(self):
        errors = {}
        if self.period_limit_enabled:
            if not self.limit_period:
                errors["limit_period"] = "Choose the period the limit is for."
            if self.limit_amount is None:
                errors["limit_amount"] = "Enter the most that may be charged in a period."
            if self.limit_period == LimitPeriod.WEEKLY and self.week_starts_on is None:
                errors["week_starts_on"] = "Choose the day the week starts on."
        if self.max_limit_enabled and self.max_amount is None:
            errors["max_amount"] = "Enter the most one charge may be."
        if errors:
            raise ValidationError(errors)

    def period_start(self, today):
        """The first day of the limit's period that ``today`` is in."""
        if self.limit_period == LimitPeriod.DAILY:
            return today
        if self.limit_period == LimitPeriod.WEEKLY:
            return today - datetime.timedelta(days=(today.weekday() - self.week_starts_on) % 7)
        return today.replace(day=1)

    @property
    def limit_description(self):
        if not self.period_limit_enabled:
            return ""
        return f"{self.limit_amount} {self.get_limit_period_display().lower()}"


class HouseAccountEntry(MoneyEntry):
    """One change of what a customer owes: the opening balance, a charge (positive), a
    payment or a refund (negative)."""

    class Kind(models.TextChoices):
        OPENING = "opening", "Opening balance"
        CHARGE = "charge", "Charge"
        PAYMENT = "payment", "Payment"
        REFUND = "refund", "Refund"

    account = models.ForeignKey(HouseAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reference = models.CharField(max_length=50, blank=True, help_text="e.g. the receipt number.")

    class Meta(MoneyEntry.Meta):
        verbose_name = "house account entry"
        verbose_name_plural = "house account entries"
        indexes = [
            models.Index(fields=["account", "-created_at", "-id"], name="house_entry_history"),
        ]
